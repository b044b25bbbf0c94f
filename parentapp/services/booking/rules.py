"""Pure rules of a booking request, on rows already loaded (no database access)."""

from __future__ import annotations

from datetime import date, datetime, time

from parentapp.domain import CareType
from parentapp.errors import (
    AgeIneligible,
    BookingWindowClosed,
    SlotClosed,
    SlotFull,
    SlotsNotBookableTogether,
)
from parentapp.models import Child, Offering, Slot
from parentapp.services.booking.availability import (
    CLOSED,
    FULL,
    TOO_EARLY,
    TOO_LATE,
    Availability,
    availability,
    window_blocker,
)
from parentapp.timeutil import age_months

MAX_HOURLY_SLOTS = 10


def _not_together(reason: str, message: str) -> SlotsNotBookableTogether:
    return SlotsNotBookableTogether(message, details={"reason": reason})


def check_together(slots: list[Slot]) -> None:
    """One nursery and care type; hourly consecutive on one date (1-10); temporary one date.

    Raises SlotsNotBookableTogether with ``details.reason``.
    """
    if len({s.nursery_id for s in slots}) > 1:
        raise _not_together("nurseries", "一次预约只能选择同一家机构的时段。")
    care_types = {s.care_type for s in slots}
    if len(care_types) > 1:
        raise _not_together("care_types", "一次预约只能选择同一种托育类型。")
    care_type = care_types.pop()
    dates = {s.date for s in slots}
    if care_type == CareType.TEMPORARY and len(dates) > 1:
        raise _not_together("temporary_dates", "临时托一次只能预约一天。")
    if care_type == CareType.HOURLY:
        _check_hours(sorted(slots, key=lambda s: (s.date, s.start_time)), dates)


def _check_hours(slots: list[Slot], dates: set[date]) -> None:
    if len(dates) > 1:
        raise _not_together("hourly_dates", "计时托一次只能预约同一天的时段。")
    if len(slots) > MAX_HOURLY_SLOTS:
        raise _not_together("hourly_length", f"计时托一次最多预约 {MAX_HOURLY_SLOTS} 小时。")
    if any(a.end_time != b.start_time for a, b in zip(slots, slots[1:], strict=False)):
        raise _not_together("hourly_gap", "计时托的时段需要前后相连。")


def check_window(slots: list[Slot], offering: Offering, now: datetime) -> None:
    """Too early (``book_ahead_days``) or too late (``min_notice_hours``): what does not
    depend on places, checked before any lock. Raises BookingWindowClosed."""
    check_availability(slots, {s.id: Availability(0, window_blocker(s, offering, now))
                               for s in slots})


def check_availability(slots: list[Slot], answers: dict[int, Availability]) -> None:
    """Closed, then out of the booking window. Raises SlotClosed, BookingWindowClosed."""
    closed = [s.id for s in slots if answers[s.id].blocker == CLOSED]
    if closed:
        raise SlotClosed(details={"slot_ids": closed})
    for blocker, message in ((TOO_EARLY, "还没到可以预约的时间。"),
                             (TOO_LATE, "已过该时段的预约截止时间。")):
        ids = [s.id for s in slots if answers[s.id].blocker == blocker]
        if ids:
            raise BookingWindowClosed(message, details={"slot_ids": ids, "reason": blocker})


def refuse_visibly_taken(slots: list[Slot], offering: Offering, now: datetime) -> None:
    """On the slots as read (no lock yet), the errors the locked check would give for a
    closed or full slot: a hot slot's refusals then cost no writes and no slot lock. Not
    when a slot holds places (one may be the child's own waitlist offer). Raises
    SlotClosed, BookingWindowClosed, SlotFull."""
    if any(s.held for s in slots):
        return
    answers = {s.id: availability(s, offering, now) for s in slots}
    check_availability(slots, answers)
    check_places(slots, answers)


def check_places(slots: list[Slot], answers: dict[int, Availability]) -> None:
    """Raises SlotFull naming every slot without a place left."""
    full = [s.id for s in slots if answers[s.id].blocker == FULL]
    if full:
        raise SlotFull(details={"slot_ids": full})


def fits_age(offering: Offering, birth_date: date, day: date) -> bool:
    """A child born on ``birth_date`` is within the offering's ages on ``day`` (whole
    months); not yet born is outside. The one age rule of booking and its re-checks."""
    return day >= birth_date and offering.accepts_age(age_months(birth_date, day))


def check_age(child: Child, slots: list[Slot], offering: Offering) -> None:
    """The child's whole months on each slot's date within the offering's range."""
    outside = [s.id for s in slots if not fits_age(offering, child.birth_date, s.date)]
    if outside:
        raise AgeIneligible(
            f"该托育类型接收 {offering.age_min_months} 到 {offering.age_max_months} 个月的孩子。",
            details={"slot_ids": outside, "age_min_months": offering.age_min_months,
                     "age_max_months": offering.age_max_months})


def overlapping(slots: list[Slot], held: list[tuple[date, time, time, int, int]]
                ) -> tuple[list[int], list[int]]:
    """(requested slot ids, booking ids) where a held (date, start, end, slot_id, booking_id)
    overlaps a requested slot in time."""
    slot_ids, booking_ids = [], []
    for slot in slots:
        for day, start, end, _, booking_id in held:
            if slot.overlaps(day, start, end):
                slot_ids.append(slot.id)
                booking_ids.append(booking_id)
    return sorted(set(slot_ids)), sorted(set(booking_ids))
