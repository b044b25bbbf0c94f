"""The family side of waitlists: join a full slot, leave, list, accept an offer.

The offer mechanics (holds, expiry, passing on) live in offers.py; accepting
books through booking.book_slots, so every booking rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from parentapp.domain import (
    ACTIVE_BOOKING_STATUSES,
    LIVE_WAITLIST_STATUSES,
    ChildRight,
    WaitlistStatus,
)
from parentapp.errors import (
    AlreadyBooked,
    AppError,
    BookingWindowClosed,
    InvalidState,
    NotFound,
    SlotClosed,
    SlotNotFull,
)
from parentapp.extensions import db
from parentapp.models import Booking, BookingSlot, Nursery, Offering, Slot, WaitlistEntry
from parentapp.services.booking import bookings as booking_service
from parentapp.services.booking.availability import CLOSED, TOO_LATE, availability
from parentapp.services.booking.places import lock_slots
from parentapp.services.booking.rules import check_age
from parentapp.services.booking.waitlist_offers import (
    end_offer,
    expire_due_offers,
    offer_freed_places,
)
from parentapp.services.classes.queries import storable_id
from parentapp.services.common.caps import check_cap
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access
from parentapp.services.family.booked_by import booked_by_map


@dataclass(frozen=True)
class QueuedEntry:
    entry: WaitlistEntry
    position: int | None  # among the slot's waiting entries, from 1; None unless waiting
    booked_by: dict | None = None  # who of the child's people joined


def queued(entries: list[WaitlistEntry], places: dict[int, int]) -> list[QueuedEntry]:
    """The entries with their queue positions and ``booked_by`` (one query for them all)."""
    found = booked_by_map((e.child_id, e.parent_id) for e in entries)
    return [QueuedEntry(e, places.get(e.id), found.get((e.child_id, e.parent_id)))
            for e in entries]


def positions(entry_ids: list[int]) -> dict[int, int]:
    """Place in the queue (from 1) of each waiting entry among its slot's waiting entries."""
    if not entry_ids:
        return {}
    ahead = aliased(WaitlistEntry)
    rows = db.session.execute(
        db.select(WaitlistEntry.id, db.func.count(ahead.id))
        .join(ahead, (ahead.slot_id == WaitlistEntry.slot_id)
              & (ahead.status == WaitlistStatus.WAITING)
              & (ahead.id <= WaitlistEntry.id))
        .where(WaitlistEntry.id.in_(entry_ids), WaitlistEntry.status == WaitlistStatus.WAITING)
        .group_by(WaitlistEntry.id))
    return dict(rows.all())


@rolls_back
def join_waitlist(parent_id: int, slot_id: int, child_id: int, now: datetime, *,
                  offer_minutes: int, waitlist_per_child: int) -> QueuedEntry:
    """Queue the child for a full slot. Raises NotFound, SlotClosed, BookingWindowClosed,
    AgeIneligible, AlreadyBooked, SlotNotFull, InvalidState (already waiting),
    LimitReached (``waitlist_per_child``)."""
    # The child's lock first, as a booking takes it: the child's live entries are
    # counted with no other join for this child in between.
    child = access.child_for(parent_id, child_id, ChildRight.ACT, lock=True)
    expire_due_offers(now, Slot.id == slot_id, offer_minutes=offer_minutes)
    row = db.session.execute(
        db.select(Slot, Offering, Nursery)
        .join(Offering, (Offering.nursery_id == Slot.nursery_id)
              & (Offering.care_type == Slot.care_type))
        .join(Nursery, Nursery.id == Slot.nursery_id).where(Slot.id == slot_id)
        .with_for_update(of=Slot, key_share=True).execution_options(populate_existing=True)
    ).first()
    if row is None or not row[2].is_visible_to_parents:
        raise NotFound("没有找到该时段。")
    slot, offering, _ = row
    answer = availability(slot, offering, now)
    if answer.blocker == CLOSED:
        raise SlotClosed(details={"slot_ids": [slot.id]})
    if answer.blocker == TOO_LATE:
        raise BookingWindowClosed("已过该时段的预约截止时间。",
                                  details={"slot_ids": [slot.id], "reason": TOO_LATE})
    check_age(child, [slot], offering)
    _check_not_booked(child.id, slot.id)
    if answer.remaining > 0:
        raise SlotNotFull(details={"slot_ids": [slot.id], "remaining": answer.remaining})
    check_cap("waitlist_per_child", waitlist_per_child, _live_entries(child.id),
              message="孩子同时候补的时段已达上限，请先退出部分候补。")
    entry = WaitlistEntry(slot_id=slot_id, parent_id=parent_id, child_id=child_id,
                          status=WaitlistStatus.WAITING, created_at=now)
    db.session.add(entry)
    try:  # the slot lock orders joins; the unique index stands behind it anyway
        db.session.flush()
    except IntegrityError as exc:
        raise InvalidState("孩子已在该时段的候补名单中。", details={"slot_ids": [slot_id]}) from exc
    [answer] = queued([entry], positions([entry.id]))
    db.session.commit()
    return answer


def _live_entries(child_id: int) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(WaitlistEntry).where(
        WaitlistEntry.child_id == child_id, WaitlistEntry.status.in_(LIVE_WAITLIST_STATUSES)))


def _check_not_booked(child_id: int, slot_id: int) -> None:
    booking_id = db.session.scalar(db.select(BookingSlot.booking_id).where(
        BookingSlot.child_id == child_id, BookingSlot.slot_id == slot_id,
        BookingSlot.status.in_(ACTIVE_BOOKING_STATUSES)))
    if booking_id is not None:
        raise AlreadyBooked(details={"slot_ids": [slot_id], "booking_ids": [booking_id]})


def _own_entry(user_id: int, entry_id: int, right: ChildRight) -> WaitlistEntry:
    """An entry of one of the person's children, when their role has ``right``."""
    entry = db.session.get(WaitlistEntry, entry_id) if storable_id(entry_id) else None
    if entry is None:
        raise NotFound("没有找到该候补记录。")
    try:
        access.child_for(user_id, entry.child_id, right)
    except NotFound:
        raise NotFound("没有找到该候补记录。") from None
    return entry


@rolls_back
def leave_waitlist(parent_id: int, entry_id: int, now: datetime, *, offer_minutes: int) -> None:
    """Leave a queue or decline an offer (its place passes on). Raises NotFound, InvalidState."""
    entry = _own_entry(parent_id, entry_id, ChildRight.ACT)
    slot = lock_slots([entry.slot_id])[0]
    db.session.refresh(entry)
    if entry.status not in LIVE_WAITLIST_STATUSES:
        raise InvalidState("该候补已结束。", details={"status": entry.status})
    was_offered = entry.status == WaitlistStatus.OFFERED
    end_offer(entry, slot, WaitlistStatus.LEFT, now)
    if was_offered:
        offer_freed_places([slot], now, offer_minutes=offer_minutes)
    db.session.commit()


def my_waitlist(parent_id: int, now: datetime, page: int, per_page: int, *,
                offer_minutes: int, child_id: int | None = None) -> dict:
    """The entries of all the person's children (or of ``child_id`` only), newest first,
    ended ones included, with queue positions. Raises NotFound (``child_id`` is not one of
    the person's children)."""
    if child_id is not None:
        access.child_for(parent_id, child_id, ChildRight.VIEW)
        mine = WaitlistEntry.child_id == child_id
    else:
        mine = WaitlistEntry.child_id.in_(access.children_of(parent_id))
    expire_due_offers(now, mine, offer_minutes=offer_minutes)
    stmt = (db.select(WaitlistEntry).options(joinedload(WaitlistEntry.slot))
            .where(mine).order_by(WaitlistEntry.id.desc()))
    result = paginate(stmt, page, per_page)
    places = positions([e.id for e in result["items"] if e.status == WaitlistStatus.WAITING])
    result["items"] = queued(result["items"], places)
    return result


def accept_offer(parent_id: int, entry_id: int, now: datetime, *,
                 offer_minutes: int, future_slots_per_child: int) -> tuple[Booking, bool]:
    """Book the offered place under every booking rule. Returns (booking, created);
    accepting again returns the same booking. Raises NotFound, InvalidState (not offered),
    and booking_service.book_slots' errors."""
    entry = _own_entry(parent_id, entry_id, ChildRight.ACT)
    if entry.status == WaitlistStatus.OFFERED and entry.offer_expires_at <= now:
        expire_due_offers(now, WaitlistEntry.id == entry.id, offer_minutes=offer_minutes)
        db.session.refresh(entry)
    if entry.status == WaitlistStatus.ACCEPTED and entry.booking_id is not None:
        return booking_service.get_booking(parent_id, entry.booking_id), False
    if entry.status != WaitlistStatus.OFFERED:
        raise InvalidState("该候补当前没有可接受的名额。", details={"status": entry.status})
    try:
        booking = booking_service.book_slots(
            parent_id, entry.child_id, [entry.slot_id], note=None, now=now,
            offer_minutes=offer_minutes, future_slots_per_child=future_slots_per_child)
    except AppError:
        db.session.refresh(entry)  # a concurrent accept may have won: same booking, 200
        if entry.status == WaitlistStatus.ACCEPTED and entry.booking_id is not None:
            return booking_service.get_booking(parent_id, entry.booking_id), False
        raise
    return booking_service.get_booking(parent_id, booking.id), True
