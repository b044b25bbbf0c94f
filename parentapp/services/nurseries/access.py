"""Who may see which nursery: operators their own, parents the visible ones.

Anything else answers NotFound, exactly like a nursery that does not exist.
"""

from __future__ import annotations

from parentapp.domain import Role
from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import Nursery, User


def owned_nursery(operator_id: int, nursery_id: int, *, lock: bool = False) -> Nursery:
    """The operator's nursery; ``lock`` takes its row lock (first in the lock order)."""
    stmt = db.select(Nursery).where(Nursery.id == nursery_id)
    if lock:
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    nursery = db.session.scalar(stmt)
    if nursery is None or nursery.operator_id != operator_id:
        raise NotFound("没有找到这家托育机构。")
    return nursery


def is_viewable(nursery: Nursery | None, viewer: User | None) -> bool:
    """Parents see filed, public nurseries; the owning operator always sees their own."""
    if nursery is None:
        return False
    owner = viewer is not None and viewer.role == Role.OPERATOR and viewer.id == nursery.operator_id
    return owner or nursery.is_visible_to_parents
