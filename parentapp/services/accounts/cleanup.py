"""What other features must undo when a child or an account goes away.

Each feature adds its step here (cancel future bookings, leave classes,
withdraw reminders), so deletion stays one call for the accounts service.
Every step runs inside the caller's transaction and must not commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from parentapp.domain import CarerRole, NotificationKind
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, User
from parentapp.services.booking import cancellation
from parentapp.services.booking import erasure as booking_erasure
from parentapp.services.classes import release
from parentapp.services.common import idempotency
from parentapp.services.family import fanout, links
from parentapp.services.reminders import erasure
from parentapp.services.reminders.inbox import notify


def before_child_deleted(child: Child, now: datetime, *, offer_minutes: int,
                         by_user_id: int | None = None) -> None:
    """Undo what hangs on ``child`` before its row is deleted (for all its people)."""
    # Future booked slots return to sale (waitlists move up); live waitlist entries end.
    cancellation.cancel_child_future(child, now, offer_minutes=offer_minutes)
    # Its class seats and waitlist places are withdrawn (the waitlists move up).
    release.release_child(child.id, now)
    # Last, so messages the steps above wrote about the child go too.
    erasure.erase_child_messages(child.id)
    _tell_child_deleted(child, by_user_id, now)


def _tell_child_deleted(child: Child, by_user_id: int | None, now: datetime) -> None:
    """Every other person of the child learns it is gone (not a reminder: whatever their
    ``reminders`` setting; the message names no child row, which is about to go)."""
    for user_id in fanout.everyone_but(child.id, by_user_id):
        notify(user_id, NotificationKind.CHILD_DELETED, title=f"{child.name}的资料已删除",
               body=f"孩子{child.name}的资料已被监护人删除，相关预约和报名已取消。", now=now)


def before_account_deleted(user: User, now: datetime, *, offer_minutes: int) -> None:
    """Undo what hangs on the account's children and on the account itself.

    A child of which the account is the last guardian is deleted for everyone, as
    ``DELETE /children/{id}`` does; of any other child only the account's link ends, and
    what it booked for the child stays.
    """
    for child, last_guardian in _children_of(user.id):
        if last_guardian:
            before_child_deleted(child, now, offer_minutes=offer_minutes, by_user_id=user.id)
            db.session.delete(child)
        else:
            links.end_link(user.id, child.id, now)
    db.session.flush()
    # Seats and waitlist places are given up (waitlists move up), then erased.
    release.release_family(user.id, now)
    # What stays for the nursery's records keeps none of the family's words or answers.
    booking_erasure.erase_family_notes(user.id)
    idempotency.forget_user(user.id)
    # Last: every message to the family (pending ones included) and its WeChat grants.
    erasure.erase_account_messages(user.id)


def _children_of(user_id: int) -> list[tuple[Child, bool]]:
    """The account's children in id order (each row-locked), and whether the account is
    the child's last guardian."""
    mine = select(ChildPerson.child_id).where(ChildPerson.user_id == user_id)
    children = db.session.scalars(select(Child).where(Child.id.in_(mine)).order_by(Child.id)
                                  .with_for_update(key_share=True)).all()
    guardians: dict[int, list[int]] = {child.id: [] for child in children}
    for child_id, guardian_id in db.session.execute(
            select(ChildPerson.child_id, ChildPerson.user_id).where(
                ChildPerson.child_id.in_(list(guardians)),
                ChildPerson.role == CarerRole.GUARDIAN)):
        guardians[child_id].append(guardian_id)
    return [(child, guardians[child.id] == [user_id]) for child in children]
