"""Deleting a child or an account takes its messages and grants with it.

Messages name the child, so they are personal data: they are deleted, not
just withdrawn (the foreign keys cascade too; this does not rely on it).
A dispatcher holding one of these rows finds it gone and records nothing.
"""

from __future__ import annotations

from sqlalchemy import delete

from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.reminders.subscriptions import remove_grants


def erase_child_messages(child_id: int) -> None:
    db.session.execute(delete(Notification).where(Notification.child_id == child_id))


def erase_account_messages(user_id: int) -> None:
    """Every message of the account and its subscription grants (caller's transaction)."""
    db.session.execute(delete(Notification).where(Notification.user_id == user_id))
    remove_grants(user_id)
