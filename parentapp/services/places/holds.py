"""The places a round holds out of its month's full-day slots (``slots.round_held``).

While a round is live every full-day slot of its nursery and month holds
``round.held`` places that nobody can book first-come. A place leaves the hold when an
accepted offer books it (``offers.accept_offer``) or when nobody takes it (``give_back``, which
also offers the freed places to the slots' waitlists). Every change runs under the
slots' row locks, taken in id order after the round's (see ``booking.places``).
"""

from __future__ import annotations

from datetime import date, datetime

from parentapp.domain import CareType, RoundStatus, SlotStatus
from parentapp.errors import InvalidState, SlotFull
from parentapp.extensions import db
from parentapp.models import PlaceRound, Slot
from parentapp.services.booking.availability import remaining_places
from parentapp.services.booking.places import lock_slots
from parentapp.services.booking.waitlist_offers import offer_freed_places
from parentapp.timeutil import month_of, month_range


def month_slot_ids(nursery_id: int, month: str):
    """A subquery of the ids of the nursery's full-day slots in ``month``."""
    first, last = month_range(month)
    return db.select(Slot.id).where(Slot.nursery_id == nursery_id,
                                    Slot.care_type == CareType.FULL_DAY,
                                    Slot.date.between(first, last))


def lock_month_slots(place_round: PlaceRound) -> list[Slot]:
    """Every full-day slot of the round's nursery and month, row-locked in id order."""
    return lock_slots(db.session.scalars(month_slot_ids(place_round.nursery_id,
                                                        place_round.month)))


def hold_places(place_round: PlaceRound, today: date) -> None:
    """Hold ``place_round.places`` in each open full-day slot of its month from ``today``.
    Caller commits. Raises InvalidState (no such slot), SlotFull (too few places left)."""
    slots = lock_month_slots(place_round)
    live = [s for s in slots if s.status == SlotStatus.OPEN and s.date >= today]
    if not live:
        raise InvalidState("这个月还没有开放的全日托时段，请先生成时段再发起入托申请。")
    short = [s.id for s in live if remaining_places(s) < place_round.places]
    if short:
        raise SlotFull("部分时段剩余名额不足，无法拿出这么多名额用于入托申请。",
                       details={"slot_ids": short})
    for slot in slots:
        slot.round_held = min(place_round.places, slot.capacity - slot.booked - slot.held)


def give_back(place_round: PlaceRound, count: int, now: datetime, *,
              offer_minutes: int) -> None:
    """``count`` held places nobody takes return to sale and to the slots' waitlists; the
    round ends when it holds nothing more. Caller commits."""
    if count <= 0:
        return
    slots = lock_month_slots(place_round)
    for slot in slots:
        slot.round_held = max(0, slot.round_held - count)
    place_round.held -= count
    end_if_empty(place_round, now)
    offer_freed_places(slots, now, offer_minutes=offer_minutes)


def end_if_empty(place_round: PlaceRound, now: datetime) -> None:
    """An allocated round holding no place any more has ended. Caller commits."""
    if place_round.held == 0 and place_round.status == RoundStatus.ALLOCATED:
        place_round.status, place_round.ended_at = RoundStatus.ENDED, now


def holds_for_new_slots(nursery_id: int, days: set[date]) -> dict[str, int]:
    """The places live rounds hold, by month, for full-day slots created on ``days``."""
    months = {month_of(d) for d in days}
    if not months:
        return {}
    return dict(db.session.execute(db.select(PlaceRound.month, PlaceRound.held).where(
        PlaceRound.nursery_id == nursery_id, PlaceRound.month.in_(months),
        PlaceRound.held > 0)).all())
