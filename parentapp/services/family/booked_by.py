"""``booked_by`` on bookings, waitlist entries and enrollments: who of the child's people
acted, with their nickname and relation to the child (null once they left it)."""

from __future__ import annotations

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import ChildPerson, User


def booked_by_map(pairs) -> dict[tuple[int | None, int], dict]:
    """``{(child_id, user_id): {"user_id", "nickname", "relation"}}`` for the given pairs,
    in one query whatever their number."""
    pairs = {(child_id, user_id) for child_id, user_id in pairs if user_id is not None}
    if not pairs:
        return {}
    user_ids = sorted({user_id for _, user_id in pairs})
    child_ids = sorted({child_id for child_id, _ in pairs if child_id is not None})
    relation = (ChildPerson.user_id == User.id) & ChildPerson.child_id.in_(child_ids or [0])
    found: dict[int, dict] = {}
    relations: dict[tuple[int, int], str | None] = {}
    for user_id, nickname, child_id, rel in db.session.execute(
            select(User.id, User.nickname, ChildPerson.child_id, ChildPerson.relation)
            .outerjoin(ChildPerson, relation).where(User.id.in_(user_ids))):
        found[user_id] = nickname
        if child_id is not None:
            relations[(child_id, user_id)] = rel
    return {(child_id, user_id): {"user_id": user_id, "nickname": found.get(user_id),
                                  "relation": relations.get((child_id, user_id))}
            for child_id, user_id in pairs}
