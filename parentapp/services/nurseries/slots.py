"""Slots: generation by operators, listing for parents.

A full_day and a temporary slot span the nursery's ``day`` hours, a half_day
slot its ``am`` or ``pm`` hours, and hourly slots are hour-long from the day
opening time, as many as end by closing (08:00-17:30 gives 08:00-09:00 up to
16:00-17:00). Times are taken from ``opening_hours`` when the slots are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Row

from parentapp.domain import AuditAction, CareType, SlotStatus, WaitlistStatus
from parentapp.errors import NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Nursery, Offering, Slot, WaitlistEntry
from parentapp.services.booking.availability import Availability, BookingWindow, availability
from parentapp.services.booking.waitlist_offers import expire_due_offers
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries.access import is_viewable, owned_nursery
from parentapp.services.nurseries.licensed_places import ensure_within_licensed_places
from parentapp.services.nurseries.offerings import offerings_by_key
from parentapp.services.places.holds import holds_for_new_slots
from parentapp.timeutil import local_today, month_of

MAX_RANGE_DAYS = 62
LISTING_ORDER = (Slot.date, Slot.start_time, Slot.care_type, Slot.id)
# What a listed slot shows and what availability() reads.
LISTED_COLUMNS = (Slot.id, Slot.care_type, Slot.date, Slot.start_time, Slot.end_time,
                  Slot.capacity, Slot.booked, Slot.held, Slot.round_held, Slot.status,
                  Slot.closed_reason)
PART_NAMES = {"am": "上午", "pm": "下午"}


@dataclass(frozen=True, slots=True)
class SlotView:
    """A slot as listed: its fields, its price and the one availability answer, flat
    (a listing dumps hundreds of these; flat attributes dump several times faster)."""

    id: int
    care_type: str
    date: date
    start_time: time
    end_time: time
    capacity: int
    booked: int
    held: int
    status: str
    closed_reason: str | None
    price_fen: int
    remaining: int
    bookable: bool
    waitlist_length: int
    slot: Slot  # the row itself, for callers that want more than the listing shows

    @classmethod
    def of(cls, slot: Slot, price_fen: int, answer: Availability,
           waitlist_length: int) -> SlotView:
        return cls(slot.id, slot.care_type, slot.date, slot.start_time, slot.end_time,
                   slot.capacity, slot.booked, slot.held, slot.status, slot.closed_reason,
                   price_fen, answer.remaining, answer.bookable, waitlist_length, slot)


def check_range(day_from: date, day_to: date) -> None:
    if day_to < day_from:
        raise ValidationFailed.on("to", "结束日期不能早于开始日期。")
    if (day_to - day_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed.on("to", f"一次最多 {MAX_RANGE_DAYS} 天。")


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def _hours(opening_hours: dict, part: str, field: str) -> tuple[time, time]:
    span = (opening_hours or {}).get(part)
    if not span or len(span) != 2:
        raise ValidationFailed.on(field, f"机构没有设置{PART_NAMES.get(part, '全天')}开放时间。")
    return _clock(span[0]), _clock(span[1])


def slot_times(opening_hours: dict, care_type: str, parts: list[str]) -> list[tuple[time, time]]:
    """The (start, end) of each slot a date gets for ``care_type``."""
    if care_type == CareType.HALF_DAY:
        return [_hours(opening_hours, part, "parts") for part in parts]
    opens, closes = _hours(opening_hours, "day", "care_type")
    if care_type != CareType.HOURLY:
        return [(opens, closes)]
    times, start = [], datetime.combine(date.min, opens)
    while start + timedelta(hours=1) <= datetime.combine(date.min, closes):
        times.append((start.time(), (start + timedelta(hours=1)).time()))
        start += timedelta(hours=1)
    return times


def _parts_for(care_type: str, parts: list[str] | None) -> list[str]:
    if care_type != CareType.HALF_DAY:
        if parts:
            raise ValidationFailed.on("parts", "只有半日托需要指定上午/下午。")
        return []
    return sorted(set(parts or ["am", "pm"]))


def waitlist_length():
    """Waiting entries of the slot in the enclosing query (uses the slot-queue index)."""
    return (db.select(db.func.count()).where(WaitlistEntry.slot_id == Slot.id,
                                             WaitlistEntry.status == WaitlistStatus.WAITING)
            .correlate(Slot).scalar_subquery())


@rolls_back
def generate_slots(operator_id: int, nursery_id: int, *, care_type: str, day_from: date,
                   day_to: date, weekdays: list[int], capacity: int, parts: list[str] | None,
                   now: datetime) -> dict:
    """Create the missing slots of a date range; existing ones (same start) are skipped.

    Raises NotFound, ValidationFailed, CapacityExceedsLicensedPlaces (nothing is created).
    """
    nursery = owned_nursery(operator_id, nursery_id, lock=True)
    check_range(day_from, day_to)
    if day_from < local_today(now):
        raise ValidationFailed.on("from", "不能为已经过去的日期生成时段。")
    if db.session.scalar(db.select(Offering.id).where(
            Offering.nursery_id == nursery.id, Offering.care_type == care_type)) is None:
        raise ValidationFailed.on("care_type", "请先设置该托育类型的价格和年龄范围。")
    times = slot_times(nursery.opening_hours, care_type, _parts_for(care_type, parts))
    days = [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]
    days = [d for d in days if d.isoweekday() in set(weekdays)]
    existing = set(db.session.execute(db.select(Slot.date, Slot.start_time).where(
        Slot.nursery_id == nursery.id, Slot.care_type == care_type,
        Slot.date.between(day_from, day_to))))
    holds = _round_holds(nursery.id, care_type, set(days), capacity)
    rows = [{"nursery_id": nursery.id, "care_type": care_type, "date": d, "start_time": start,
             "end_time": end, "capacity": capacity, "booked": 0, "held": 0,
             "round_held": holds.get(month_of(d), 0),
             "status": SlotStatus.OPEN, "created_at": now, "updated_at": now}
            for d in days for start, end in times if (d, start) not in existing]
    if rows:
        db.session.execute(db.insert(Slot), rows)
        ensure_within_licensed_places(nursery, {row["date"] for row in rows})
    audit.record(operator_id, AuditAction.SLOTS_GENERATE, nursery, now=now, after={
        "care_type": care_type, "from": day_from, "to": day_to, "weekdays": weekdays,
        "capacity": capacity, "created": len(rows)})
    db.session.commit()
    return {"created": len(rows), "skipped_existing": len(days) * len(times) - len(rows)}


def _round_holds(nursery_id: int, care_type: str, days: set[date],
                 capacity: int) -> dict[str, int]:
    """New full-day slots of a month with a live round hold its places too (入托申请)."""
    if care_type != CareType.FULL_DAY:
        return {}
    holds = holds_for_new_slots(nursery_id, days)
    if holds and capacity < max(holds.values()):
        raise ValidationFailed.on("capacity", f"该月有 {max(holds.values())} 个名额用于入托申请，"
                                              "时段容量不能少于它。")
    return holds


def list_slots(nursery_id: int, *, day_from: date | None, day_to: date | None,
               care_type: str | None, now: datetime, viewer_id: int | None = None,
               offer_minutes: int) -> list[SlotView]:
    """Slots of a visible nursery (or the viewer's own) in date order; the range defaults
    to the week from today. Raises NotFound, ValidationFailed (range). Fixed query count.
    """
    in_range = _listed_range(nursery_id, day_from, day_to, care_type, now, viewer_id,
                             offer_minutes)
    rows = db.session.execute(
        db.select(Slot, waitlist_length()).where(*in_range).order_by(*LISTING_ORDER)).all()
    offerings = offerings_by_key([nursery_id])
    return [_view(slot, offerings, waiting_count, now) for slot, waiting_count in rows]


def list_slot_rows(nursery_id: int, *, day_from: date | None, day_to: date | None,
                   care_type: str | None, now: datetime, viewer_id: int | None = None,
                   offer_minutes: int) -> list[tuple[Row, int, Availability]]:
    """``list_slots`` as Core rows: (row, price_fen, availability) per slot, same order and
    rules. The public listing answers hundreds of slots; building ORM objects for them
    was a sixth of its time. Raises NotFound, ValidationFailed (range).
    """
    in_range = _listed_range(nursery_id, day_from, day_to, care_type, now, viewer_id,
                             offer_minutes)
    rows = db.session.execute(
        db.select(*LISTED_COLUMNS, waitlist_length().label("waitlist_length"))
        .where(*in_range).order_by(*LISTING_ORDER)).all()
    offerings = offerings_by_key([nursery_id])
    windows = {key: BookingWindow.of(offering, now) for key, offering in offerings.items()}
    listed = []
    for row in rows:
        key = (nursery_id, row.care_type)
        offering = offerings[key]
        listed.append((row, offering.price_fen,
                       availability(row, offering, now, window=windows[key])))
    return listed


def _listed_range(nursery_id: int, day_from: date | None, day_to: date | None,
                  care_type: str | None, now: datetime, viewer_id: int | None,
                  offer_minutes: int) -> list:
    """The listing's WHERE clause, once the nursery is visible and due offers expired."""
    nursery = db.session.get(Nursery, nursery_id)
    if not is_viewable(nursery, viewer_id):
        raise NotFound("没有找到这家托育机构。")
    day_from = day_from or local_today(now)
    day_to = day_to or day_from + timedelta(days=6)
    check_range(day_from, day_to)
    in_range = [Slot.nursery_id == nursery_id, Slot.date.between(day_from, day_to)]
    if care_type:
        in_range.append(Slot.care_type == care_type)
    expire_due_offers(now, *in_range, offer_minutes=offer_minutes)
    return in_range


def _view(slot: Slot, offerings: dict, waiting_count: int, now: datetime) -> SlotView:
    offering = offerings[(slot.nursery_id, slot.care_type)]
    return SlotView.of(slot, offering.price_fen, availability(slot, offering, now), waiting_count)


def views_of(slot_ids: list[int], now: datetime) -> list[SlotView]:
    """Fresh listing views of these slots, in the order given (two queries)."""
    rows = db.session.execute(
        db.select(Slot, waitlist_length()).where(Slot.id.in_(slot_ids))
        .execution_options(populate_existing=True)).all()
    offerings = offerings_by_key({slot.nursery_id for slot, _ in rows})
    views = {slot.id: _view(slot, offerings, n, now) for slot, n in rows}
    return [views[sid] for sid in slot_ids]
