"""A parent's children. Another parent's child is indistinguishable from none."""

from __future__ import annotations

from datetime import date, datetime

from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import Child
from parentapp.services.accounts import cleanup
from parentapp.services.accounts.birth_date import check_new_birth_date
from parentapp.services.booking.bookings import lock_family
from parentapp.services.common.caps import check_cap
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.reminders import health_planning
from parentapp.timeutil import local_today


def list_children(parent_id: int, page: int = 1, per_page: int = 20) -> dict:
    stmt = db.select(Child).where(Child.parent_id == parent_id).order_by(Child.id)
    return paginate(stmt, page, per_page)


def get_child(parent_id: int, child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or child.parent_id != parent_id:
        raise NotFound("没有找到这个孩子。")
    return child


@rolls_back
def add_child(parent_id: int, *, name: str, birth_date: date, gender: str,
              now: datetime, children_per_guardian: int,
              vaccine_choices: dict | None = None) -> Child:
    """Raises LimitReached (``children_per_guardian``)."""
    # Counted under the family's row lock: two additions at once cannot both pass.
    lock_family(parent_id)
    owned = db.session.scalar(db.select(db.func.count()).select_from(Child)
                              .where(Child.parent_id == parent_id))
    check_cap("children_per_guardian", children_per_guardian, owned,
              message=f"每位家长最多添加 {children_per_guardian} 个孩子。")
    child = Child(parent_id=parent_id, name=name, birth_date=birth_date, gender=gender,
                  created_at=now)
    _apply_choices(child, vaccine_choices or {})
    db.session.add(child)
    db.session.commit()
    return child


@rolls_back
def update_child(parent_id: int, child_id: int, changes: dict, now: datetime) -> Child:
    """Raises NotFound; InvalidState for a birth date that does not fit the child's health
    records or confirmed bookings (``birth_date.check_new_birth_date``), changing nothing."""
    child = get_child(parent_id, child_id)
    if changes.get("birth_date", child.birth_date) != child.birth_date:
        check_new_birth_date(child, changes["birth_date"], local_today(now))
    choices = changes.pop("vaccine_choices", None)
    for key, value in changes.items():
        setattr(child, key, value)
    if choices:
        _apply_choices(child, choices)
    if "birth_date" in changes or choices:
        health_planning.mark_child_changed(child.id)
    db.session.commit()
    return child


@rolls_back
def delete_child(parent_id: int, child_id: int, now: datetime, *, offer_minutes: int) -> None:
    child = get_child(parent_id, child_id)
    cleanup.before_child_deleted(child, now, offer_minutes=offer_minutes)
    db.session.delete(child)
    db.session.commit()


def _apply_choices(child: Child, choices: dict) -> None:
    if "je" in choices:
        child.je_choice = choices["je"]
    if "hepa" in choices:
        child.hepa_choice = choices["hepa"]
