"""A child's people written straight to the database (``ChildPerson`` rows), for the tests
of who hears about a child: reminders, notices, dispatch."""

from __future__ import annotations

from collections import Counter

from parentapp.extensions import db
from parentapp.models import Notification
from tests.factories import make_child, make_user
from tests.family_factories import add_person, remove_person, set_reminders

__all__ = ["add_person", "family", "notes", "per_user", "remove_person", "set_reminders"]


def notes(*where) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Notification).where(*where)
                                   .order_by(Notification.id)))


def per_user(rows, state: str | None = None) -> Counter:
    """How many of ``rows`` each user has (in ``state`` when given)."""
    return Counter(row.user_id for row in rows if state is None or row.delivery_state == state)


def family(carers=1, viewers=1, **child_fields):
    """A child with its guardian, carers (reminders on) and viewers (off): (child, the
    people who hear about it, those who do not)."""
    guardian = make_user("parent")
    child = make_child(guardian, **{"name": "小雨", **child_fields})
    hearing = [guardian] + [add_person(child) for _ in range(carers)]
    silent = [add_person(child, role="viewer") for _ in range(viewers)]
    return child, hearing, silent
