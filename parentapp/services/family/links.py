"""Ending one person's link to a child (removed, leaving, or deleting their account).

Their access ends at once: the link row goes, their pending messages about the child
are withdrawn, and the invites they made for it stop working (a removed guardian could
otherwise let themself back in with a code made before). What they booked stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from parentapp.extensions import db
from parentapp.models import ChildInvite, ChildPerson
from parentapp.services.family import fanout


def withdraw_invites_of(user_id: int, child_id: int, now: datetime) -> None:
    """Open invites ``user_id`` made for the child are withdrawn (caller commits)."""
    db.session.execute(update(ChildInvite).where(
        ChildInvite.child_id == child_id, ChildInvite.created_by == user_id,
        ChildInvite.accepted_at.is_(None), ChildInvite.withdrawn_at.is_(None))
        .values(withdrawn_at=now))


def end_link(user_id: int, child_id: int, now: datetime) -> None:
    """The person stops being one of the child's people (caller commits)."""
    db.session.execute(delete(ChildPerson).where(
        ChildPerson.child_id == child_id, ChildPerson.user_id == user_id))
    fanout.withdraw_for(user_id, child_id)
    withdraw_invites_of(user_id, child_id, now)
