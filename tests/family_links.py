"""A child's people written straight to ``child_people`` (no invite API needed)."""

from __future__ import annotations

from datetime import datetime

from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, User, utcnow


def add_person(child: Child, user: User, role: str, relation: str | None = None, *,
               since: datetime | None = None) -> ChildPerson:
    """``user`` becomes one of ``child``'s people (reminders on except for viewers)."""
    person = ChildPerson(child_id=child.id, user_id=user.id, role=role, relation=relation,
                         reminders=role != "viewer", since=since or utcnow())
    db.session.add(person)
    db.session.commit()
    return person


def remove_person(child: Child, user: User) -> None:
    """The link ends (what a removal or leaving does to access)."""
    db.session.execute(db.delete(ChildPerson).where(ChildPerson.child_id == child.id,
                                                    ChildPerson.user_id == user.id))
    db.session.commit()
