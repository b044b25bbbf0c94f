"""Locks and counters of slot places, shared by every service that moves them.

Lock order, everywhere: the family row (bookings, child deletion) or the
nursery row (operator changes, revocation), then slots by id, then bookings,
booking slots and waitlist entries. Taking rows in one order means two
transactions never wait on each other crosswise (no deadlock); PostgreSQL's
``lock_timeout`` / SQLite's ``busy_timeout`` bound every wait, and the app
turns a timeout into a retryable 503 ``busy``.

Row locks are ``FOR NO KEY UPDATE`` (``key_share=True``): keys never change,
and this mode does not conflict with the ``FOR KEY SHARE`` locks PostgreSQL
takes for foreign-key checks. With plain ``FOR UPDATE``, two bookings that
inserted rows referencing a slot (key-share on it) and then locked it would
deadlock; so would a notification for a family whose row a booking holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from parentapp.extensions import db
from parentapp.models import Slot


def lock_slots(slot_ids: Iterable[int]) -> list[Slot]:
    """The slots, row-locked in id order, with fresh values (in id order)."""
    ids = sorted(set(slot_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        db.select(Slot).where(Slot.id.in_(ids)).order_by(Slot.id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)))


def give_back(slots_by_id: dict[int, Slot], counts: dict[int, int]) -> None:
    """Return ``counts[slot_id]`` booked places of locked slots to sale."""
    for slot_id, count in counts.items():
        slots_by_id[slot_id].booked -= count
