"""What other features must undo when a child or an account goes away.

Each feature adds its step here (cancel future bookings, leave classes,
withdraw reminders), so deletion stays one call for the accounts service.
Every step runs inside the caller's transaction and must not commit.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.models import Child, User


def before_child_deleted(child: Child, now: datetime) -> None:
    """Undo what hangs on ``child`` before its row is deleted."""


def before_account_deleted(user: User, now: datetime) -> None:
    """Undo what hangs on the account's children and on the family itself."""
    for child in user.children:
        before_child_deleted(child, now)
