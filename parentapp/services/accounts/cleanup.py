"""What other features must undo when a child or an account goes away.

Each feature adds its step here (cancel future bookings, leave classes,
withdraw reminders), so deletion stays one call for the accounts service.
Every step runs inside the caller's transaction and must not commit.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.models import Child, User
from parentapp.services.booking import cancellation
from parentapp.services.booking import erasure as booking_erasure
from parentapp.services.classes import enrollment
from parentapp.services.common import idempotency
from parentapp.services.reminders import erasure


def before_child_deleted(child: Child, now: datetime, *, offer_minutes: int) -> None:
    """Undo what hangs on ``child`` before its row is deleted."""
    # Future booked slots return to sale (waitlists move up); live waitlist entries end.
    cancellation.cancel_child_future(child, now, offer_minutes=offer_minutes)
    # Class seats belong to the family: they stay, but stop naming the child.
    enrollment.forget_child(child.id)
    # Last, so messages the steps above wrote about the child go too.
    erasure.erase_child_messages(child.id)


def before_account_deleted(user: User, now: datetime, *, offer_minutes: int) -> None:
    """Undo what hangs on the account's children and on the family itself."""
    for child in user.children:
        before_child_deleted(child, now, offer_minutes=offer_minutes)
    # Seats and waitlist places are given up (waitlists move up), then erased.
    enrollment.release_family(user.id, now)
    # What stays for the nursery's records keeps none of the family's words or answers.
    booking_erasure.erase_family_notes(user.id)
    idempotency.forget_user(user.id)
    # Last: every message to the family (pending ones included) and its WeChat grants.
    erasure.erase_account_messages(user.id)
