"""Children as each of their people sees them (``my_role``). A child that is not the
caller's is indistinguishable from none (``family.access.child_for``)."""

from __future__ import annotations

from datetime import date, datetime

from parentapp.domain import CarerRole, ChildRight
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson
from parentapp.services.accounts import cleanup
from parentapp.services.accounts.birth_date import check_new_birth_date
from parentapp.services.booking.bookings import lock_family
from parentapp.services.common.caps import check_cap
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access
from parentapp.services.reminders import health_planning
from parentapp.timeutil import local_today


def list_children(user_id: int, page: int = 1, per_page: int = 20) -> dict:
    """Every child the person is one of the people of, each with ``my_role`` (three
    queries whatever the number of children and people)."""
    stmt = db.select(Child).where(Child.id.in_(access.children_of(user_id))).order_by(Child.id)
    result = paginate(stmt, page, per_page)
    roles = access.roles_of(user_id, [child.id for child in result["items"]])
    for child in result["items"]:
        child.my_role = roles[child.id]
    return result


def get_child(user_id: int, child_id: int, right: ChildRight = ChildRight.VIEW) -> Child:
    """Raises NotFound (not one of the child's people), Forbidden (the role lacks ``right``)."""
    return access.child_for(user_id, child_id, right)


@rolls_back
def add_child(parent_id: int, *, name: str, birth_date: date, gender: str,
              now: datetime, children_per_guardian: int,
              vaccine_choices: dict | None = None, hbsag_mother: str | None = None,
              birth_weight_g: int | None = None) -> Child:
    """Raises LimitReached (``children_per_guardian``)."""
    # Counted under the family's row lock: two additions at once cannot both pass.
    lock_family(parent_id)
    check_cap("children_per_guardian", children_per_guardian, guardian_of_count(parent_id),
              message=f"每位家长最多做 {children_per_guardian} 个孩子的监护人。")
    child = Child(name=name, birth_date=birth_date, gender=gender, hbsag_mother=hbsag_mother,
                  birth_weight_g=birth_weight_g, created_at=now)
    child.people.append(ChildPerson(user_id=parent_id, role=CarerRole.GUARDIAN,
                                    reminders=True, since=now))
    _apply_choices(child, vaccine_choices or {})
    db.session.add(child)
    db.session.commit()
    child.my_role = CarerRole.GUARDIAN
    return child


def guardian_of_count(user_id: int) -> int:
    """How many children the person is a guardian of (``children_per_guardian``)."""
    return db.session.scalar(db.select(db.func.count()).select_from(ChildPerson).where(
        ChildPerson.user_id == user_id, ChildPerson.role == CarerRole.GUARDIAN))


@rolls_back
def update_child(user_id: int, child_id: int, changes: dict, now: datetime) -> Child:
    """Guardians only. Raises NotFound, Forbidden; InvalidState for a birth date that does
    not fit the child's health records or confirmed bookings
    (``birth_date.check_new_birth_date``), changing nothing."""
    child = access.child_for(user_id, child_id, ChildRight.MANAGE)
    if changes.get("birth_date", child.birth_date) != child.birth_date:
        check_new_birth_date(child, changes["birth_date"], local_today(now))
    choices = changes.pop("vaccine_choices", None)
    for key, value in changes.items():
        setattr(child, key, value)
    if choices:
        _apply_choices(child, choices)
    if {"birth_date", "hbsag_mother", "birth_weight_g"} & set(changes) or choices:
        health_planning.mark_child_changed(child.id)
    db.session.commit()
    return child


@rolls_back
def delete_child(user_id: int, child_id: int, now: datetime, *, offer_minutes: int) -> None:
    """Guardians only: the child goes for all its people, who are told. Raises NotFound,
    Forbidden."""
    child = access.child_for(user_id, child_id, ChildRight.MANAGE, lock=True)
    cleanup.before_child_deleted(child, now, offer_minutes=offer_minutes, by_user_id=user_id)
    db.session.delete(child)
    db.session.commit()


def _apply_choices(child: Child, choices: dict) -> None:
    if "je" in choices:
        child.je_choice = choices["je"]
    if "hepa" in choices:
        child.hepa_choice = choices["hepa"]
