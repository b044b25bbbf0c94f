"""Who a reminder or notice about a child reaches: each of its people whose ``reminders``
is on, once each, in their own inbox (and on their own WeChat grants).

A row's ``dedupe_key`` names its recipient (``keyed_for``), so planning twice or
two planners at once still give each person exactly one row. A subject without a
child (a class seat for the account alone) reaches the account that holds it
(``audience``, ``notify_about``). Someone who stops hearing about a child (removed,
or ``reminders`` off) loses their pending rows at once (``withdraw_for``); event
planning's sweep and health re-planning catch any that remain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from parentapp.domain import DeliveryState
from parentapp.extensions import db
from parentapp.models import ChildPerson, Notification
from parentapp.services.common import bulk
from parentapp.services.reminders.inbox import notify


def keyed_for(dedupe_key: str | None, user_id: int) -> str | None:
    """The recipient's own dedupe key for a message whose base key is ``dedupe_key``."""
    return None if dedupe_key is None else f"{dedupe_key}:u{user_id}"


def recipients(child_ids) -> dict[int, list[int]]:
    """For each child, the user ids of its people with reminders on, in the order they
    joined (one query whatever the number of children)."""
    ids = sorted({child_id for child_id in child_ids if child_id is not None})
    found: dict[int, list[int]] = {child_id: [] for child_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(ChildPerson.child_id, ChildPerson.user_id)
        .where(bulk.among(ChildPerson.child_id, ids), ChildPerson.reminders.is_(True))
        .order_by(ChildPerson.child_id, ChildPerson.since, ChildPerson.user_id))
    for child_id, user_id in rows:
        found[child_id].append(user_id)
    return found


def audience(child_id: int | None, account_id: int | None,
             people: dict[int, list[int]] | None = None) -> list[int]:
    """Who hears about a subject: the child's people with reminders on, or, for a subject
    without a child (a class seat for the account alone), ``account_id``. ``people`` is
    ``recipients(...)`` already read for a batch (no query then)."""
    if child_id is None:
        return [] if account_id is None else [account_id]
    if people is None or child_id not in people:
        people = recipients([child_id])
    return people[child_id]


def notify_about(child_id: int | None, account_id: int | None, kind: str, *, now: datetime,
                 dedupe_key: str | None = None, people: dict[int, list[int]] | None = None,
                 **message) -> list[Notification]:
    """``inbox.notify`` once for each of ``audience(child_id, account_id)``, each in their
    own inbox and with their own dedupe key (the caller commits)."""
    return [notify(user_id, kind, now=now, child_id=child_id,
                   dedupe_key=keyed_for(dedupe_key, user_id), **message)
            for user_id in audience(child_id, account_id, people)]


def notify_people(child_id: int, kind: str, *, now: datetime, dedupe_key: str | None = None,
                  people: dict[int, list[int]] | None = None, **message) -> list[Notification]:
    """``inbox.notify`` once for each of the child's people with reminders on (the caller
    commits)."""
    return notify_about(child_id, None, kind, now=now, dedupe_key=dedupe_key, people=people,
                        **message)


def everyone_but(child_id: int, user_id: int | None) -> list[int]:
    """All the child's people except ``user_id``, whatever their ``reminders``: for what is
    about who may see the child (someone joined, the child deleted), not a reminder."""
    return list(db.session.scalars(select(ChildPerson.user_id).where(
        ChildPerson.child_id == child_id, ChildPerson.user_id != (user_id or 0))
        .order_by(ChildPerson.since, ChildPerson.user_id)))


def withdraw_for(user_id: int, child_id: int) -> int:
    """The person no longer hears about the child (removed, or ``reminders`` off): their
    pending rows about it are withdrawn at once. Caller commits. Returns how many."""
    return db.session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.child_id == child_id,
        Notification.delivery_state == DeliveryState.PENDING)
        .values(delivery_state=DeliveryState.WITHDRAWN)).rowcount
