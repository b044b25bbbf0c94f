"""A child's people: who they are, their roles, their own reminders, leaving and removal.

Every change to a child's people happens under the child's row lock
(``access.lock_child``), so the caps (``people_per_child``, ``guardians_per_child``) and
the last guardian are counted with no other change in between. The account's lock
(``children_per_guardian``) comes after the child's, the order account deletion keeps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from parentapp.domain import RELATION_NAMES, ROLE_NAMES, CarerRole, ChildRight, NotificationKind
from parentapp.errors import Forbidden, LastGuardian, NotFound
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, User
from parentapp.services.accounts import cleanup
from parentapp.services.accounts.children import guardian_of_count
from parentapp.services.booking.bookings import lock_family
from parentapp.services.common.caps import check_cap
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access, fanout, links
from parentapp.services.reminders import health_planning
from parentapp.services.reminders.inbox import notify

_MANAGED = ("role", "relation")


def list_people(user_id: int, child_id: int) -> list[dict]:
    """Every person of the child, in the order they joined (any person may see them).
    Raises NotFound."""
    access.child_for(user_id, child_id, ChildRight.VIEW)
    rows = db.session.execute(
        select(ChildPerson, User.nickname).join(User, User.id == ChildPerson.user_id)
        .where(ChildPerson.child_id == child_id)
        .order_by(ChildPerson.since, ChildPerson.user_id))
    return [person_view(person, nickname) for person, nickname in rows]


def person_view(person: ChildPerson, nickname: str | None) -> dict:
    return {"user_id": person.user_id, "nickname": nickname, "relation": person.relation,
            "role": person.role, "reminders": person.reminders, "since": person.since}


@rolls_back
def update_person(user_id: int, child_id: int, target_id: int, changes: dict, now: datetime,
                  *, guardians_per_child: int, children_per_guardian: int) -> dict:
    """``role`` and ``relation`` are the guardians' to change; ``reminders`` is each
    person's own. A guardian no more, the person's open invites are withdrawn. Raises
    NotFound, Forbidden, LastGuardian (the last guardian demoted), LimitReached
    (``guardians_per_child``, ``children_per_guardian``)."""
    managing = any(key in changes for key in _MANAGED)
    child = access.child_for(user_id, child_id,
                             ChildRight.MANAGE if managing else ChildRight.VIEW, lock=True)
    person = _person(child.id, target_id)
    if "reminders" in changes and target_id != user_id:
        raise Forbidden("每位家人只能设置自己是否接收提醒。")
    role = changes.get("role", person.role)
    if role != person.role:
        _check_role_change(child.id, person, role, guardians_per_child=guardians_per_child,
                           children_per_guardian=children_per_guardian)
        if person.role == CarerRole.GUARDIAN:
            links.withdraw_invites_of(person.user_id, child.id, now)
        person.role = role
    person.relation = changes.get("relation", person.relation)
    if changes.get("reminders", person.reminders) != person.reminders:
        person.reminders = changes["reminders"]
        if person.reminders:
            health_planning.mark_child_changed(child.id)  # their reminders are planned again
        else:
            fanout.withdraw_for(person.user_id, child.id)
    db.session.flush()
    view = person_view(person, db.session.get(User, person.user_id).nickname)
    db.session.commit()
    return view


@rolls_back
def remove_person(user_id: int, child_id: int, target_id: int, now: datetime, *,
                  offer_minutes: int) -> None:
    """A guardian removes anyone; anyone removes themself. Their access ends at once; what
    they booked for the child stays. A sole person leaving deletes the child, as
    ``DELETE /children/{id}`` does. Raises NotFound, Forbidden, LastGuardian."""
    right = ChildRight.VIEW if target_id == user_id else ChildRight.MANAGE
    child = access.child_for(user_id, child_id, right, lock=True)
    person = _person(child.id, target_id)
    if person.role == CarerRole.GUARDIAN and guardian_count(child.id) == 1:
        if people_count(child.id) > 1:
            raise LastGuardian()
        cleanup.before_child_deleted(child, now, offer_minutes=offer_minutes,
                                     by_user_id=user_id)
        db.session.delete(child)
        db.session.commit()
        return
    links.end_link(target_id, child.id, now)
    if target_id != user_id:
        _tell_removed(target_id, child, now)
    db.session.commit()


def check_room(child_id: int, user_id: int, role: str, *, people_per_child: int | None,
               guardians_per_child: int, children_per_guardian: int) -> None:
    """Raise LimitReached when the child cannot take ``user_id`` with ``role``: its people
    (``people_per_child``, None when the person is already counted), its guardians, the
    person's children as guardian. Caller holds the child's lock."""
    if people_per_child is not None:
        check_cap("people_per_child", people_per_child, people_count(child_id),
                  message=f"每个孩子最多有 {people_per_child} 位家人。")
    if role != CarerRole.GUARDIAN:
        return
    check_cap("guardians_per_child", guardians_per_child, guardian_count(child_id),
              message=f"每个孩子最多有 {guardians_per_child} 位监护人。")
    lock_family(user_id)
    check_cap("children_per_guardian", children_per_guardian, guardian_of_count(user_id),
              message=f"每位家长最多做 {children_per_guardian} 个孩子的监护人。")


def people_count(child_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ChildPerson)
                             .where(ChildPerson.child_id == child_id))


def guardian_count(child_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ChildPerson).where(
        ChildPerson.child_id == child_id, ChildPerson.role == CarerRole.GUARDIAN))


def tell_joined(child: Child, person: ChildPerson, now: datetime) -> None:
    """The child's other people learn who joined (whatever their ``reminders``: it is
    about who may see the child, not a reminder). Caller commits."""
    nickname = db.session.get(User, person.user_id).nickname or ""
    who = f"{RELATION_NAMES.get(person.relation, '')}{nickname}" or "新家人"
    for other in fanout.everyone_but(child.id, person.user_id):
        notify(other, NotificationKind.CARER_JOINED, now=now, child_id=child.id,
               title=f"{child.name}有新的家人加入",
               body=f"{who}以{ROLE_NAMES[person.role]}身份加入了{child.name}的家人。")


def _person(child_id: int, user_id: int) -> ChildPerson:
    person = db.session.get(ChildPerson, (child_id, user_id))
    if person is None:
        raise NotFound("没有找到这位家人。")
    return person


def _check_role_change(child_id: int, person: ChildPerson, role: str, *,
                       guardians_per_child: int, children_per_guardian: int) -> None:
    if person.role == CarerRole.GUARDIAN and guardian_count(child_id) == 1:
        raise LastGuardian()  # a child always keeps a guardian
    check_room(child_id, person.user_id, role, people_per_child=None,
               guardians_per_child=guardians_per_child,
               children_per_guardian=children_per_guardian)


def _tell_removed(user_id: int, child: Child, now: datetime) -> None:
    # No child_id: the message stays readable after their access (and the child) ended.
    notify(user_id, NotificationKind.CARER_REMOVED, now=now,
           title=f"您已不再是{child.name}的家人",
           body=f"监护人已将您从{child.name}的家人中移除，您将不再看到这个孩子的信息和提醒。")
