"""The one authorisation check for everything about a child.

A person of the child may do what their role's rights allow
(``domain.ROLE_RIGHTS``): a right the role lacks is 403 ``forbidden``;
someone who is not one of the child's people gets 404, exactly as for a child
that does not exist. Every child endpoint goes through ``child_for``.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from parentapp.domain import ROLE_RIGHTS, CarerRole, ChildRight
from parentapp.errors import Forbidden, NotFound
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson
from parentapp.services.classes.queries import storable_id

_RIGHT_REFUSALS = {
    ChildRight.ACT: "您是这个孩子的查看者，只能查看，不能代为操作。",
    ChildRight.MANAGE: "只有孩子的监护人可以进行此操作。",
}


def child_for(user_id: int, child_id: int, right: ChildRight, *, lock: bool = False) -> Child:
    """The child, with ``my_role`` and ``my_relation`` set, when ``user_id`` is one of its
    people and their role has ``right``. ``lock`` takes the child's row lock first. Raises
    NotFound, Forbidden."""
    if not storable_id(child_id):
        raise NotFound("没有找到这个孩子。")
    if lock:
        # Only a person of the child may take its lock (the join locks the child's row
        # only when the link exists); the role is then read under it.
        db.session.execute(_LOCK_LINKED, {"user_id": user_id, "child_id": child_id})
    row = _link(user_id, child_id)
    if row is None:
        raise NotFound("没有找到这个孩子。")
    child, role, relation = row
    if right not in ROLE_RIGHTS[role]:
        raise Forbidden(_RIGHT_REFUSALS[right], details={"my_role": role})
    child.my_role, child.my_relation = role, relation
    return child


# The child with the person's role and relation; built once (every child endpoint runs it).
_LINK = (select(Child, ChildPerson.role, ChildPerson.relation)
         .join(ChildPerson, (ChildPerson.child_id == Child.id)
               & (ChildPerson.user_id == bindparam("user_id")))
         .where(Child.id == bindparam("child_id")).execution_options(populate_existing=True))


_LOCK_LINKED = (select(Child.id).join(ChildPerson, (ChildPerson.child_id == Child.id)
                                      & (ChildPerson.user_id == bindparam("user_id")))
                .where(Child.id == bindparam("child_id"))
                .with_for_update(of=Child, key_share=True))


def _link(user_id: int, child_id: int):
    return db.session.execute(_LINK, {"user_id": user_id, "child_id": child_id}).first()


def role_of(user_id: int, child_id: int) -> str | None:
    """The person's role for the child, or None when they are not one of its people."""
    return db.session.scalar(select(ChildPerson.role).where(
        ChildPerson.child_id == child_id, ChildPerson.user_id == user_id))


def children_of(user_id: int, right: ChildRight = ChildRight.VIEW):
    """A subquery of the ids of the children ``user_id`` holds ``right`` for."""
    roles = [role for role, rights in ROLE_RIGHTS.items() if right in rights]
    return (select(ChildPerson.child_id)
            .where(ChildPerson.user_id == user_id, ChildPerson.role.in_(roles)))


def roles_of(user_id: int, child_ids) -> dict[int, str]:
    """The person's role for each of the given children (one query)."""
    ids = sorted({child_id for child_id in child_ids if child_id is not None})
    if not ids:
        return {}
    return dict(db.session.execute(select(ChildPerson.child_id, ChildPerson.role).where(
        ChildPerson.user_id == user_id, ChildPerson.child_id.in_(ids))).all())


def lock_child(child_id: int) -> None:
    """The child's row lock: its bookings, caps and people change one transaction at a time.
    ``FOR NO KEY UPDATE``, so rows that merely reference the child are not blocked."""
    db.session.execute(select(Child.id).where(Child.id == child_id)
                       .with_for_update(key_share=True))


def first_guardian_ids():
    """A subquery (child_id, user_id) of each child's first guardian: the earliest one
    still linked (whose ``township`` the statistics and allocation use)."""
    ranked = (select(ChildPerson.child_id, ChildPerson.user_id,
                     db.func.row_number().over(partition_by=ChildPerson.child_id,
                                               order_by=(ChildPerson.since, ChildPerson.user_id))
                     .label("rank"))
              .where(ChildPerson.role == CarerRole.GUARDIAN).subquery())
    return select(ranked.c.child_id, ranked.c.user_id).where(ranked.c.rank == 1).subquery()
