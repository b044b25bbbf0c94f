"""Operators change slots: capacity and open/closed, one at a time or in an
all-or-nothing batch.

Lowering capacity below the places taken (booked and held for offers) is
refused; closing a slot cancels it in every booking holding it; raising
capacity and reopening are checked against the licensed places and move the
waitlist. Slots that have started are history and cannot change.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.domain import AuditAction, SlotStatus
from parentapp.errors import CapacityBelowBooked, InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Nursery, Slot
from parentapp.services.booking.cancellation import cancel_slots_by_nursery
from parentapp.services.booking.places import lock_slots
from parentapp.services.booking.waitlist_offers import offer_freed_places
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries.access import owned_nursery
from parentapp.services.nurseries.licensed_places import ensure_within_licensed_places
from parentapp.services.nurseries.slots import SlotView, views_of

# What the audit log keeps of a slot change.
AUDITED = ("capacity", "status", "closed_reason")


@rolls_back
def change_slot(operator_id: int, slot_id: int, change: dict, now: datetime, *,
                offer_minutes: int) -> SlotView:
    """Raises NotFound, ValidationFailed, InvalidState, CapacityBelowBooked,
    CapacityExceedsLicensedPlaces."""
    nursery_id = db.session.scalar(db.select(Slot.nursery_id).where(Slot.id == slot_id))
    if nursery_id is None:
        raise NotFound("没有找到该时段。")
    nursery = owned_nursery(operator_id, nursery_id, lock=True)
    before = _apply(nursery, [{**change, "slot_id": slot_id}], now, offer_minutes=offer_minutes)
    slot = db.session.get(Slot, slot_id)
    audit.record(operator_id, AuditAction.SLOT_UPDATE, slot, now=now, before=before[slot_id],
                 after=audit.snapshot(slot, AUDITED))
    db.session.commit()
    return views_of([slot_id], now)[0]


@rolls_back
def change_slots(operator_id: int, nursery_id: int, changes: list[dict],
                 now: datetime, *, offer_minutes: int) -> list[SlotView]:
    """The batch form: every change applies or none does (same errors as change_slot)."""
    nursery = owned_nursery(operator_id, nursery_id, lock=True)
    ids = [c["slot_id"] for c in changes]
    if len(set(ids)) != len(ids):
        raise ValidationFailed.on("changes", "同一时段不能出现多次。")
    before = _apply(nursery, changes, now, offer_minutes=offer_minutes)
    audit.record(operator_id, AuditAction.SLOTS_BATCH, nursery, now=now,
                 before={str(sid): fields for sid, fields in before.items()},
                 after={str(sid): audit.snapshot(db.session.get(Slot, sid), AUDITED)
                        for sid in before})
    db.session.commit()
    return views_of(ids, now)


def _apply(nursery: Nursery, changes: list[dict], now: datetime, *,
           offer_minutes: int) -> dict[int, dict]:
    """Apply the changes to the nursery's locked slots; returns their audited fields as they
    were, by slot id. Caller commits."""
    slots = {s.id: s for s in lock_slots(c["slot_id"] for c in changes)}
    missing = [c["slot_id"] for c in changes
               if c["slot_id"] not in slots or slots[c["slot_id"]].nursery_id != nursery.id]
    if missing:
        raise NotFound("没有找到该时段。", details={"slot_ids": missing})
    started = [sid for sid in slots if slots[sid].starts_at() <= now]
    if started:
        raise InvalidState("已开始的时段不能再修改。", details={"slot_ids": started})
    _check_capacities(changes, slots)
    before = {sid: audit.snapshot(slot, AUDITED) for sid, slot in slots.items()}
    closing = [slots[c["slot_id"]] for c in changes
               if c.get("status") == SlotStatus.CLOSED
               and slots[c["slot_id"]].status == SlotStatus.OPEN]
    freeing = [slots[c["slot_id"]] for c in changes if _frees_places(c, slots[c["slot_id"]])]
    for change in changes:
        _set_status(slots[change["slot_id"]], change, now)
    if closing:  # before capacities change, so no flush ever sees booked > capacity
        reasons = {c.get("reason") for c in changes if c.get("reason")}
        cancel_slots_by_nursery(nursery, closing, reasons.pop() if len(reasons) == 1 else None,
                                now)
    for change in changes:
        slots[change["slot_id"]].capacity = change.get("capacity",
                                                       slots[change["slot_id"]].capacity)
    if freeing:
        db.session.flush()
        ensure_within_licensed_places(nursery, {s.date for s in freeing})
        offer_freed_places(freeing, now, offer_minutes=offer_minutes)
    return before


def _frees_places(change: dict, slot: Slot) -> bool:
    """Reopening, or more capacity on a slot that stays open."""
    status = change.get("status", slot.status)
    if status != SlotStatus.OPEN:
        return False
    return slot.status == SlotStatus.CLOSED or change.get("capacity", slot.capacity) > slot.capacity


def _set_status(slot: Slot, change: dict, now: datetime) -> None:
    slot.status = change.get("status", slot.status)
    slot.closed_reason = (change.get("reason") or slot.closed_reason
                          if slot.status == SlotStatus.CLOSED else None)
    slot.updated_at = now


def _check_capacities(changes: list[dict], slots: dict[int, Slot]) -> None:
    """A slot staying open keeps room for what is booked and held; a closing slot's
    bookings are cancelled, so only a round's held places (``round_held``) stay."""
    below = []
    for change in changes:
        slot = slots[change["slot_id"]]
        staying_open = change.get("status", slot.status) == SlotStatus.OPEN
        kept = slot.booked + slot.held if staying_open else 0
        if "capacity" in change and change["capacity"] < kept + slot.round_held:
            below.append({"slot_id": slot.id, "booked": slot.booked, "held": slot.held,
                          "round_held": slot.round_held})
    if below:
        raise CapacityBelowBooked(details={"slot_ids": [b["slot_id"] for b in below],
                                           "slots": below})
