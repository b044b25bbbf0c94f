"""The one answer to "how many places are left, and can this slot be booked now?".

Slot listings show it and booking enforces it, so what a parent sees is what
the server applies. Places held for a waitlist offer (``slot.held``) count as
taken for everyone but the family the offer is for (``own_holds``); places a round of
monthly places holds (``slot.round_held``) are not for sale at all.

Every function reads only the slot's columns, so it takes a ``Slot`` or a Core row of
the same columns alike (the public listing reads rows, not objects, for speed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from parentapp.domain import SlotStatus
from parentapp.models import Offering
from parentapp.timeutil import local_instant, local_today

CLOSED, TOO_EARLY, TOO_LATE, FULL = "closed", "too_early", "too_late", "full"


class SlotFacts(Protocol):
    """What the rule reads of a slot: a ``Slot`` or a row with these columns."""

    date: date
    start_time: time
    capacity: int
    booked: int
    held: int
    round_held: int
    status: str


@dataclass(frozen=True)
class Availability:
    remaining: int
    # Why the slot cannot be booked now (None: it can): closed, too_early, too_late, full.
    blocker: str | None

    @property
    def bookable(self) -> bool:
        return self.blocker is None


def last_booking_instant(slot: SlotFacts, offering: Offering) -> datetime:
    """Bookings close ``min_notice_hours`` before the slot starts."""
    return local_instant(slot.date, slot.start_time) - timedelta(hours=offering.min_notice_hours)


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """One offering's booking window at ``now``, worked out once for the many slots of a
    listing: too_early beyond ``book_ahead_days`` (counted in local dates), too_late after
    the notice."""

    last_day: date
    notice: timedelta
    now: datetime

    @classmethod
    def of(cls, offering: Offering, now: datetime) -> BookingWindow:
        return cls(local_today(now) + timedelta(days=offering.book_ahead_days),
                   timedelta(hours=offering.min_notice_hours), now)

    def blocker(self, slot: SlotFacts) -> str | None:
        if slot.date > self.last_day:
            return TOO_EARLY
        if self.now > local_instant(slot.date, slot.start_time) - self.notice:
            return TOO_LATE
        return None


def window_blocker(slot: SlotFacts, offering: Offering, now: datetime) -> str | None:
    """too_early, too_late or None: see BookingWindow."""
    return BookingWindow.of(offering, now).blocker(slot)


def remaining_places(slot: SlotFacts, own_holds: int = 0) -> int:
    return max(0, slot.capacity - slot.booked - slot.held - slot.round_held + own_holds)


def availability(slot: SlotFacts, offering: Offering, now: datetime, own_holds: int = 0, *,
                 window: BookingWindow | None = None) -> Availability:
    """``window``: the offering's BookingWindow at ``now``, when the caller has it already."""
    remaining = remaining_places(slot, own_holds)
    if slot.status != SlotStatus.OPEN:
        return Availability(remaining, CLOSED)
    blocker = (window or BookingWindow.of(offering, now)).blocker(slot)
    if blocker is None and remaining < 1:
        blocker = FULL
    return Availability(remaining, blocker)
