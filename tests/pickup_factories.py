"""A child's other people and its pickup list, written straight to the database."""

from __future__ import annotations

from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, PickupPerson, User

GRANNY = {"name": "王奶奶", "relation": "grandparent", "phone": "13800000001"}
GRANDPA = {"name": "王爷爷", "relation": "grandparent", "phone": "13900000002"}
AUNT = {"name": "李阿姨", "relation": "relative", "phone": "15000000003"}


def add_person(child: Child, user: User, role: str, *, reminders: bool | None = None,
               relation: str = "grandparent") -> ChildPerson:
    """``user`` becomes one of the child's people (reminders on unless a viewer)."""
    since = (child.created_at or child.people[0].since) + timedelta(minutes=len(child.people))
    person = ChildPerson(child_id=child.id, user_id=user.id, role=role, relation=relation,
                         reminders=role != "viewer" if reminders is None else reminders,
                         since=since)
    db.session.add(person)
    db.session.commit()
    return person


def set_pickup(child: Child, *people: dict) -> list[PickupPerson]:
    rows = [PickupPerson(child_id=child.id, position=n, **person)
            for n, person in enumerate(people)]
    db.session.add_all(rows)
    db.session.commit()
    return rows
