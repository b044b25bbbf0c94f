"""A child's people and invites for the family tests (家人共管)."""

from __future__ import annotations

from datetime import datetime

from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, User, utcnow
from parentapp.services.family import invites
from tests.factories import bearer, make_child, make_user


def add_person(child: Child, user: User | None = None, role: str = "carer",
               relation: str | None = "grandparent", reminders: bool | None = None,
               now: datetime | None = None) -> User:
    """``user`` (a new parent if None) joins ``child`` directly (no invite), with ``role``;
    ``reminders`` defaults as the contract says (off for viewers)."""
    user = user or make_user("parent")
    db.session.add(ChildPerson(child_id=child.id, user_id=user.id, role=role, relation=relation,
                               reminders=role != "viewer" if reminders is None else reminders,
                               since=now or utcnow()))
    db.session.commit()
    return user


def set_reminders(child: Child, user: User, on: bool) -> None:
    db.session.execute(db.update(ChildPerson).where(
        ChildPerson.child_id == child.id, ChildPerson.user_id == user.id).values(reminders=on))
    db.session.commit()


def remove_person(child: Child, user: User) -> None:
    """The link ends (what a removal or leaving does to access), written directly."""
    db.session.execute(db.delete(ChildPerson).where(
        ChildPerson.child_id == child.id, ChildPerson.user_id == user.id))
    db.session.commit()


def family(roles=("carer", "viewer"), now: datetime | None = None):
    """A child with a guardian and one more person per role; returns (child, {role or
    "guardian": (user, headers)}). A second "guardian" in ``roles`` is "guardian2"."""
    guardian = make_user("parent", nickname="妈妈")
    child = make_child(guardian, now)
    people = {"guardian": (guardian, bearer(guardian))}
    for role in roles:
        user = add_person(child, role=role, now=now)
        people["guardian2" if role == "guardian" else role] = (user, bearer(user))
    return child, people


def make_invite(child: Child, role: str = "carer", relation: str = "grandparent",
                now: datetime | None = None):
    """An open invite by the child's first guardian (through the service)."""
    return invites.create_invite(child.people[0].user_id, child.id, role=role,
                                 relation=relation, now=now or utcnow())
