"""A nursery's day: who is booked, and attendance (check-in, check-out, no-show).

Attendance acts on the booking's slots of one date (today unless given):

    confirmed --check-in--> checked_in --check-out--> completed
    confirmed --no-show (once the slot has started)--> no_show

Check-in and check-out are for today only (AttendanceNotToday, 409
``attendance_not_today``, on any other date); a no-show waits for the slot's start
(InvalidState until then, on any date). Anything else (a cancelled slot, check-out
before check-in, a second check-in) is InvalidState. ``offered_actions`` says which
actions a roster line takes now, by the same rules.
Check-out records who collected the child (``picked_up_by``): a name on the
child's pickup list when it has one (``family.pickup.pickup_name``). The child's
people hear of check-in and check-out in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from parentapp.domain import ACTIVE_BOOKING_STATUSES, AuditAction, BookingStatus
from parentapp.errors import AttendanceNotToday, InvalidState, NotFound
from parentapp.extensions import db
from parentapp.models import Booking, BookingSlot, Child, Nursery, PickupPerson, Slot
from parentapp.models.booking import status_of
from parentapp.services.alerts.checks import record_absence
from parentapp.services.alerts.ratio_breach import detect_ratio_breach
from parentapp.services.booking.attendance_notices import tell_attendance
from parentapp.services.booking.bookings import booking_query
from parentapp.services.booking.places import lock_slots
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family.pickup import pickup_lists, pickup_name
from parentapp.services.nurseries.access import owned_nursery
from parentapp.timeutil import age_months, local_today

# action -> (the slot status it starts from, the status it leads to)
ATTENDANCE = {"check_in": (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN),
              "check_out": (BookingStatus.CHECKED_IN, BookingStatus.COMPLETED),
              "no_show": (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)}
_REFUSALS = {"check_in": "只有已确认且未签到的预约可以签到。",
             "check_out": "签到之后才能签退。",
             "no_show": "只有已确认、未签到的预约可以标记未到。"}


@dataclass(frozen=True)
class RosterEntry:
    booking: Booking
    child: Child | None
    day: date
    slots: list[BookingSlot]
    pickup: list[PickupPerson] = field(default_factory=list)  # the child's list, in order

    @property
    def picked_up_by(self) -> str | None:
        """Who collected the child this day (recorded at check-out)."""
        return next((s.picked_up_by for s in self.slots if s.picked_up_by), None)

    @property
    def status(self) -> str:
        """The booking's status on this day."""
        return status_of(s.status for s in self.slots if s.is_active) or self.slots[0].status

    @property
    def age_months(self) -> int | None:
        return None if self.child is None else age_months(self.child.birth_date, self.day)


def offered_actions(entry: RosterEntry, now: datetime) -> list[str]:
    """The attendance actions ``mark_attendance`` would accept for this line at ``now``:
    what the roster offers (check-in and check-out today only, no-show once started)."""
    today = entry.day == local_today(now)
    return [action for action in ATTENDANCE if (today or action == "no_show")
            and any(_applies(action, bs, bs.slot, now) for bs in entry.slots)]


def _applies(action: str, booking_slot: BookingSlot, slot: Slot, now: datetime) -> bool:
    return (booking_slot.status == ATTENDANCE[action][0]
            and (action != "no_show" or slot.starts_at() <= now))


def roster(operator_id: int, nursery_id: int, *, day: date, include_cancelled: bool,
           page: int, per_page: int) -> dict:
    """The day's bookings in order of their first start, with each child's pickup list;
    five queries whatever the number of bookings and pickup people."""
    owned_nursery(operator_id, nursery_id)
    day_slot = (BookingSlot.slot_id == Slot.id) & (Slot.date == day)
    stmt = (db.select(Booking.id).join(BookingSlot, BookingSlot.booking_id == Booking.id)
            .join(Slot, day_slot).where(Booking.nursery_id == nursery_id)
            .group_by(Booking.id).order_by(db.func.min(Slot.start_time), Booking.id))
    if not include_cancelled:
        stmt = stmt.where(BookingSlot.status.in_(ACTIVE_BOOKING_STATUSES))
    result = paginate(stmt, page, per_page)
    result["items"] = _entries(result["items"], day)
    return result


def _entries(booking_ids: list[int], day: date) -> list[RosterEntry]:
    if not booking_ids:
        return []
    rows = db.session.execute(
        db.select(Booking, Child).outerjoin(Child, Child.id == Booking.child_id)
        .where(Booking.id.in_(booking_ids))).all()
    day_slots: dict[int, list[BookingSlot]] = {bid: [] for bid in booking_ids}
    for booking_slot, _ in db.session.execute(
            db.select(BookingSlot, Slot).join(Slot, Slot.id == BookingSlot.slot_id)
            .where(BookingSlot.booking_id.in_(booking_ids), Slot.date == day)
            .order_by(Slot.start_time)):
        day_slots[booking_slot.booking_id].append(booking_slot)
    found = {booking.id: (booking, child) for booking, child in rows}
    lists = pickup_lists(child.id for _, child in rows if child is not None)
    return [RosterEntry(found[bid][0], found[bid][1], day, day_slots[bid],
                        lists.get(found[bid][0].child_id, []))
            for bid in booking_ids]


@rolls_back
def mark_attendance(operator_id: int, booking_id: int, *, action: str, day: date | None,
                    now: datetime, picked_up_by: str | None = None,
                    reason: str | None = None, symptoms: list[str] | None = None) -> RosterEntry:
    """Apply ``action`` (check_in, check_out, no_show) to the booking's slots of ``day``;
    a check-out records ``picked_up_by``, a no-show its ``reason`` and ``symptoms`` if
    given. Check-in and check-out notify the child's people. A check-in that leaves the
    nursery short of carers, or an illness absence completing a cluster, opens an alert.

    Raises NotFound, AttendanceNotToday (check-in or check-out on another date than
    today), InvalidState (a no-show before the slot starts, or a state the action does not
    start from), PickupNotAuthorised (check-out naming someone not on the child's pickup
    list, or no one when it has one). Nothing changes when it raises.
    """
    day = day or local_today(now)
    booking, nursery, targets = _locked_targets(operator_id, booking_id, action, day, now)
    start, end = ATTENDANCE[action]
    collector = pickup_name(booking.child_id, picked_up_by) if action == "check_out" else None
    for booking_slot in targets:
        booking_slot.status, booking_slot.changed_at = end, now
        if action == "check_in":
            booking_slot.checked_in_at = now
        if collector is not None:
            booking_slot.picked_up_by = collector
    booking.settle(booking.status)
    booking.updated_at = now
    after = {"slots": {str(bs.slot_id): end for bs in targets}}
    if action == "check_out":
        after["picked_up_by"] = collector
    audit.record(operator_id, AuditAction(f"booking.{action}"), booking, now=now,
                 before={"slots": {str(bs.slot_id): start for bs in targets}}, after=after)
    child = db.session.get(Child, booking.child_id) if booking.child_id else None
    tell_attendance(action, booking, child, nursery, day=day, picked_up_by=collector, now=now)
    if action == "no_show" and reason is not None:
        record_absence(operator_id, booking, day, reason=reason, symptoms=symptoms, now=now)
    if action == "check_in":
        detect_ratio_breach(operator_id, nursery.id, now)
    db.session.commit()
    return _entries([booking.id], day)[0]


def _locked_targets(operator_id: int, booking_id: int, action: str, day: date,
                    now: datetime) -> tuple[Booking, Nursery, list[BookingSlot]]:
    """The booking (row-locked, after its day's slots), its nursery, and the day's booked
    slots ``action`` applies to (caller commits). Raises NotFound, InvalidState."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("没有找到这个预约。")
    nursery = owned_nursery(operator_id, booking.nursery_id)
    today = local_today(now)
    if action != "no_show" and day != today:
        raise AttendanceNotToday(f"只能在当天签到或签退：今天是 {today:%Y-%m-%d}，"
                                 f"不能为 {day:%Y-%m-%d} 办理。",
                                 details={"date": day.isoformat(), "today": today.isoformat()})
    ids = [bs.slot_id for bs in booking.slots if bs.slot.date == day]
    if not ids:
        raise InvalidState("该预约在这一天没有时段。", details={"date": day.isoformat()})
    slots = {s.id: s for s in lock_slots(ids)}
    booking = db.session.scalar(
        booking_query().where(Booking.id == booking_id).with_for_update(of=Booking, key_share=True)
        .execution_options(populate_existing=True))
    start = ATTENDANCE[action][0]
    targets = [bs for bs in booking.slots if bs.slot_id in slots
               and _applies(action, bs, slots[bs.slot_id], now)]
    if not targets:
        waiting = [slots[bs.slot_id] for bs in booking.slots
                   if bs.slot_id in slots and bs.status == start]
        if waiting:  # a no-show before the slot's start: the child may still come
            first = min(s.starts_at() for s in waiting)
            raise InvalidState(f"时段 {first:%H:%M} 开始之后才能标记未到。",
                               details={"date": day.isoformat(),
                                        "starts_at": first.isoformat(timespec="seconds")})
        raise InvalidState(_REFUSALS[action], details={"date": day.isoformat()})
    return booking, nursery, targets
