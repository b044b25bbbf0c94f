"""Cancelling booked slots: by the family, by the nursery, and when a child or a
nursery goes away. Places return to sale at once and the waitlist moves up.

Locks follow places.py: slots (id order) first, then the bookings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from parentapp.domain import (
    CANCELLED_BOOKING_STATUSES,
    LIVE_WAITLIST_STATUSES,
    BookingStatus,
    ChildRight,
    SlotStatus,
    WaitlistStatus,
)
from parentapp.errors import CancelWindowClosed, InvalidState, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Booking, BookingSlot, Child, Nursery, Slot, WaitlistEntry
from parentapp.services.booking import notices
from parentapp.services.booking.bookings import booking_query, get_booking
from parentapp.services.booking.places import give_back, lock_slots
from parentapp.services.booking.waitlist_offers import (
    end_offer,
    end_offers_of_closed,
    offer_freed_places,
)
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.family import fanout
from parentapp.services.family.access import lock_child
from parentapp.timeutil import local_today


def cancel_deadline(slot: Slot, cutoff_hours: int) -> datetime:
    """The cancellation cut-off: a family may cancel a booked slot until this instant."""
    return slot.starts_at() - timedelta(hours=cutoff_hours)


def _locked_bookings(booking_ids: Iterable[int]) -> list[Booking]:
    """Bookings (and their slots) row-locked in id order, with fresh values."""
    ids = sorted(set(booking_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        booking_query().where(Booking.id.in_(ids)).order_by(Booking.id)
        .with_for_update(of=Booking, key_share=True)
        .execution_options(populate_existing=True)))


def _release(booking_slots: list[BookingSlot], status: str, slots: dict[int, Slot],
             now: datetime) -> None:
    for booking_slot in booking_slots:
        booking_slot.status, booking_slot.changed_at = status, now
    give_back(slots, Counter(bs.slot_id for bs in booking_slots))


@rolls_back
def cancel_booking(parent_id: int, booking_id: int, slot_ids: list[int] | None,
                   now: datetime, *, offer_minutes: int) -> Booking:
    """One of the child's people with the right to act cancels some slots of a booking (or
    all it still holds), each before its cut-off. Raises NotFound, Forbidden,
    ValidationFailed, InvalidState, CancelWindowClosed."""
    booking = get_booking(parent_id, booking_id, ChildRight.ACT)
    slots = {s.id: s for s in lock_slots(bs.slot_id for bs in booking.slots)}
    booking = _locked_bookings([booking_id])[0]
    targets = _targets(booking, slot_ids)
    late = [bs.slot_id for bs in targets
            if now > cancel_deadline(slots[bs.slot_id], booking.cancel_cutoff_hours)]
    if late:
        raise CancelWindowClosed(
            f"已过取消时限（开始前 {booking.cancel_cutoff_hours} 小时）。",
            details={"slot_ids": late, "cancel_cutoff_hours": booking.cancel_cutoff_hours})
    _release(targets, BookingStatus.CANCELLED, slots, now)
    booking.settle(BookingStatus.CANCELLED)
    booking.updated_at = now
    offer_freed_places([slots[bs.slot_id] for bs in targets], now, offer_minutes=offer_minutes)
    answer = get_booking(parent_id, booking_id)  # loaded before the commit: see below
    commit_keeping_loaded()  # a retry of a cancel that was done would be invalid_state
    return answer


def _targets(booking: Booking, slot_ids: list[int] | None) -> list[BookingSlot]:
    if booking.status in CANCELLED_BOOKING_STATUSES:
        raise InvalidState("该预约已取消。", details={"status": booking.status})
    by_slot = {bs.slot_id: bs for bs in booking.slots}
    if slot_ids is None:
        targets = [bs for bs in booking.slots if bs.status == BookingStatus.CONFIRMED]
        if not targets:
            raise InvalidState("该预约没有可以取消的时段。", details={"status": booking.status})
        return targets
    unknown = sorted(set(slot_ids) - set(by_slot))
    if unknown:
        raise ValidationFailed.on("slot_ids", f"这些时段不在该预约中：{unknown}")
    targets = [by_slot[sid] for sid in sorted(set(slot_ids))]
    done = [bs.slot_id for bs in targets if bs.status != BookingStatus.CONFIRMED]
    if done:
        raise InvalidState("所选时段已取消或已签到。", details={"slot_ids": done})
    return targets


def cancel_slots_by_nursery(nursery: Nursery, slots: list[Slot], reason: str | None,
                            now: datetime) -> int:
    """Cancel these locked slots in every booking holding them (``cancelled_by_nursery``),
    tell each family once per booking, end the slots' offers. The caller commits.

    Returns the number of bookings affected.
    """
    by_id = {s.id: s for s in slots}
    booking_ids = set(db.session.scalars(db.select(BookingSlot.booking_id).where(
        BookingSlot.slot_id.in_(by_id), BookingSlot.status == BookingStatus.CONFIRMED)))
    bookings = _locked_bookings(booking_ids)
    names = _child_names(b.child_id for b in bookings)
    people = fanout.recipients(b.child_id for b in bookings)
    for booking in bookings:
        hit = [bs for bs in booking.slots
               if bs.slot_id in by_id and bs.status == BookingStatus.CONFIRMED]
        _release(hit, BookingStatus.CANCELLED_BY_NURSERY, by_id, now)
        booking.settle(BookingStatus.CANCELLED_BY_NURSERY)
        booking.updated_at = now
        notices.tell_cancelled_by_nursery(
            booking.parent_id, booking_id=booking.id, child_id=booking.child_id,
            child_name=names.get(booking.child_id), nursery=nursery,
            slots=[by_id[bs.slot_id] for bs in hit], reason=reason, now=now, people=people)
    end_offers_of_closed(slots, now)
    return len(bookings)


def _child_names(child_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {cid for cid in child_ids if cid is not None}
    if not ids:
        return {}
    return dict(db.session.execute(
        db.select(Child.id, Child.name).where(Child.id.in_(ids))).all())


def _future(slots: Iterable[Slot], now: datetime) -> list[Slot]:
    return [s for s in slots if s.starts_at() > now]


def cancel_child_future(child: Child, now: datetime, *, offer_minutes: int) -> None:
    """Before a child (or the account) is deleted: its future slots return to sale and its
    live waitlist entries end (``left``). Runs in the deletion transaction; no commit."""
    lock_child(child.id)  # first, as a booking does: no booking slips in meanwhile
    soon = local_today(now)
    held = db.session.execute(
        db.select(BookingSlot.slot_id).join(Slot, Slot.id == BookingSlot.slot_id)
        .where(BookingSlot.child_id == child.id, BookingSlot.status == BookingStatus.CONFIRMED,
               Slot.date >= soon)).scalars().all()
    waiting = db.session.scalars(db.select(WaitlistEntry.slot_id).where(
        WaitlistEntry.child_id == child.id, WaitlistEntry.status.in_(LIVE_WAITLIST_STATUSES)
    )).all()
    slots = {s.id: s for s in _future(lock_slots([*held, *waiting]), now)}
    if not slots:
        return
    _leave_waitlists(child.id, slots, now)
    booking_ids = db.session.scalars(db.select(BookingSlot.booking_id).where(
        BookingSlot.child_id == child.id, BookingSlot.slot_id.in_(slots),
        BookingSlot.status == BookingStatus.CONFIRMED)).all()
    for booking in _locked_bookings(booking_ids):
        hit = [bs for bs in booking.slots
               if bs.slot_id in slots and bs.status == BookingStatus.CONFIRMED]
        _release(hit, BookingStatus.CANCELLED, slots, now)
        booking.settle(BookingStatus.CANCELLED)
        booking.updated_at = now
    offer_freed_places(list(slots.values()), now, offer_minutes=offer_minutes)


def _leave_waitlists(child_id: int, slots: dict[int, Slot], now: datetime) -> None:
    entries = db.session.scalars(db.select(WaitlistEntry).where(
        WaitlistEntry.child_id == child_id, WaitlistEntry.slot_id.in_(slots),
        WaitlistEntry.status.in_(LIVE_WAITLIST_STATUSES)))
    for entry in entries:
        end_offer(entry, slots[entry.slot_id], WaitlistStatus.LEFT, now)


def close_future_slots(nursery: Nursery, reason: str, now: datetime) -> int:
    """Revocation: every future slot closes, its bookings are cancelled by the nursery
    (families told) and its waitlist ends. Runs in the revoke transaction; no commit."""
    ids = db.session.scalars(db.select(Slot.id).where(
        Slot.nursery_id == nursery.id, Slot.date >= local_today(now),
        Slot.status == SlotStatus.OPEN)).all()
    slots = _future(lock_slots(ids), now)
    for slot in slots:
        slot.status, slot.closed_reason = SlotStatus.CLOSED, reason
    affected = cancel_slots_by_nursery(nursery, slots, reason, now)
    for entry in db.session.scalars(db.select(WaitlistEntry).where(
            WaitlistEntry.slot_id.in_([s.id for s in slots]),
            WaitlistEntry.status == WaitlistStatus.WAITING)):
        entry.status, entry.ended_at = WaitlistStatus.EXPIRED, now
    return affected


def close_on_revocation(nursery: Nursery, *, now: datetime) -> None:
    """Receiver of ``signals.filing_revoked`` (connected in ``create_app``): a revoked
    filing cancels the nursery's future bookings (contract, Regulators). No commit."""
    close_future_slots(nursery, "机构备案已撤销", now)
