"""Waitlist offers: a freed place goes to the first waiting family and is held for it.

An offer holds one place (``slot.held``) until the family books it, leaves,
or the offer expires; an expired offer passes to the next family. Every
change of an offer happens under its slot's row lock, slots first (see
places.py). Expiry runs from the ``expire-waitlist-offers`` job and, so that
an expired offer never blocks anyone, before every read or booking of the
slots concerned (``expire_due_offers``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from parentapp.domain import SlotStatus, WaitlistStatus
from parentapp.extensions import db
from parentapp.models import Child, Nursery, Slot, WaitlistEntry
from parentapp.services.booking import notices
from parentapp.services.booking.availability import (
    last_booking_instant,
    remaining_places,
    window_blocker,
)
from parentapp.services.booking.places import lock_slots
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import fanout
from parentapp.services.nurseries.offerings import offerings_by_key


def offer_deadline(slot: Slot, offering, now: datetime, *, offer_minutes: int) -> datetime:
    """``offer_minutes`` (the configured ``WAITLIST_OFFER_MINUTES``) from now, but never past
    the last moment the slot can be booked (its start less the notice), so every offer can
    still be accepted."""
    return min(now + timedelta(minutes=offer_minutes), last_booking_instant(slot, offering))


def offer_freed_places(slots: list[Slot], now: datetime, *,
                       offer_minutes: int) -> list[WaitlistEntry]:
    """Offer every free place of these locked slots to the next waiting families.

    Runs in the caller's transaction; returns the new offers.
    """
    open_slots = {s.id: s for s in slots if s.status == SlotStatus.OPEN and remaining_places(s) > 0}
    if not open_slots:
        return []
    offerings = offerings_by_key({s.nursery_id for s in open_slots.values()})
    waiting = db.session.scalars(
        db.select(WaitlistEntry).where(WaitlistEntry.slot_id.in_(open_slots),
                                       WaitlistEntry.status == WaitlistStatus.WAITING)
        .order_by(WaitlistEntry.slot_id, WaitlistEntry.id))
    offered: list[WaitlistEntry] = []
    for entry in waiting:
        slot = open_slots[entry.slot_id]
        offering = offerings[(slot.nursery_id, slot.care_type)]
        # Out of the booking window the place simply stays as it is: nobody could book it.
        if remaining_places(slot) < 1 or window_blocker(slot, offering, now) is not None:
            continue
        deadline = offer_deadline(slot, offering, now, offer_minutes=offer_minutes)
        if deadline <= now:
            continue
        entry.status = WaitlistStatus.OFFERED
        entry.offered_at, entry.offer_expires_at = now, deadline
        slot.held += 1
        offered.append(entry)
    _tell_offers(offered, open_slots, now)
    return offered


def _tell_offers(offered: list[WaitlistEntry], slots: dict[int, Slot], now: datetime) -> None:
    if not offered:
        return
    nurseries = {n.id: n for n in db.session.scalars(db.select(Nursery).where(
        Nursery.id.in_({slots[e.slot_id].nursery_id for e in offered})))}
    names = dict(db.session.execute(db.select(Child.id, Child.name).where(
        Child.id.in_({e.child_id for e in offered}))).all())
    people = fanout.recipients(e.child_id for e in offered)
    for entry in offered:
        slot = slots[entry.slot_id]
        notices.tell_offer(entry, slot, nursery=nurseries[slot.nursery_id],
                           child_name=names.get(entry.child_id), now=now, people=people)


def end_offer(entry: WaitlistEntry, slot: Slot, status: str, now: datetime) -> None:
    """End a live entry (``left``, ``expired``, ``accepted``); an offer gives its hold back."""
    if entry.status == WaitlistStatus.OFFERED and status != WaitlistStatus.ACCEPTED:
        slot.held -= 1
    entry.status, entry.ended_at = status, now


def expire_due_offers(now: datetime, *where, offer_minutes: int) -> tuple[int, int]:
    """Offers past their deadline expire and pass on (``expire_offers``) when there are some.

    ``where``: SQL conditions on WaitlistEntry and Slot narrowing the search (the slots
    a request is about to read). Returns (expired, newly offered). One SELECT, in the
    caller's transaction, when nothing is due: a read-only request reads on without
    taking the write lock.
    """
    if not _due_slot_ids(now, where):
        return 0, 0
    return expire_offers(now, *where, offer_minutes=offer_minutes)


def _due_slot_ids(now: datetime, where) -> set[int]:
    return set(db.session.scalars(
        db.select(WaitlistEntry.slot_id).join(Slot, Slot.id == WaitlistEntry.slot_id)
        .where(WaitlistEntry.status == WaitlistStatus.OFFERED,
               WaitlistEntry.offer_expires_at <= now, *where)))


@rolls_back
def expire_offers(now: datetime, *where, offer_minutes: int) -> tuple[int, int]:
    """The work of ``expire_due_offers``, under the write lock: the due offers are looked
    for again (another request may have expired them meanwhile). Commits."""
    due_slot_ids = _due_slot_ids(now, where)
    if not due_slot_ids:
        db.session.commit()  # end the write transaction: it must not hold the lock
        return 0, 0
    slots = {s.id: s for s in lock_slots(due_slot_ids)}
    entries = list(db.session.scalars(
        db.select(WaitlistEntry).where(WaitlistEntry.slot_id.in_(slots),
                                       WaitlistEntry.status == WaitlistStatus.OFFERED,
                                       WaitlistEntry.offer_expires_at <= now)
        .execution_options(populate_existing=True)))
    for entry in entries:
        end_offer(entry, slots[entry.slot_id], WaitlistStatus.EXPIRED, now)
    offered = offer_freed_places(list(slots.values()), now, offer_minutes=offer_minutes)
    db.session.commit()
    return len(entries), len(offered)


def end_offers_of_closed(slots: list[Slot], now: datetime) -> int:
    """A closed slot holds nothing: its offers end (expired); waiting families keep waiting
    for a reopening. Runs in the caller's transaction."""
    by_id = {s.id: s for s in slots}
    entries = list(db.session.scalars(db.select(WaitlistEntry).where(
        WaitlistEntry.slot_id.in_(by_id), WaitlistEntry.status == WaitlistStatus.OFFERED)))
    for entry in entries:
        end_offer(entry, by_id[entry.slot_id], WaitlistStatus.EXPIRED, now)
    return len(entries)
