"""A child's people written straight to the database (``ChildPerson`` rows), for the tests
of who hears about a child: reminders, notices, dispatch."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, Notification, User
from tests.factories import make_user


def add_person(child: Child, user: User | None = None, *, role: str = "carer",
               reminders: bool | None = None, relation: str = "grandparent") -> User:
    """``user`` (a new parent by default) becomes one of the child's people, after those it
    has; ``reminders`` defaults as the contract says (off for viewers)."""
    user = user or make_user("parent")
    joined = db.session.scalar(db.select(db.func.count()).select_from(ChildPerson)
                               .where(ChildPerson.child_id == child.id))
    db.session.add(ChildPerson(
        child_id=child.id, user_id=user.id, role=role, relation=relation,
        reminders=(role != "viewer") if reminders is None else reminders,
        since=child.created_at + timedelta(minutes=joined)))
    db.session.commit()
    return user


def set_reminders(child: Child, user: User, on: bool) -> None:
    db.session.execute(db.update(ChildPerson).where(
        ChildPerson.child_id == child.id, ChildPerson.user_id == user.id).values(reminders=on))
    db.session.commit()


def remove_person(child: Child, user: User) -> None:
    db.session.execute(db.delete(ChildPerson).where(
        ChildPerson.child_id == child.id, ChildPerson.user_id == user.id))
    db.session.commit()


def notes(*where) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Notification).where(*where)
                                   .order_by(Notification.id)))


def per_user(rows, state: str | None = None) -> Counter:
    """How many of ``rows`` each user has (in ``state`` when given)."""
    return Counter(row.user_id for row in rows if state is None or row.delivery_state == state)


def family(carers=1, viewers=1):
    """A child with its guardian, carers (reminders on) and viewers (off): (child, the
    people who hear about it, those who do not)."""
    from tests.factories import make_child, make_user

    guardian = make_user("parent")
    child = make_child(guardian, name="小雨")
    hearing = [guardian] + [add_person(child) for _ in range(carers)]
    silent = [add_person(child, role="viewer") for _ in range(viewers)]
    return child, hearing, silent
