"""Health-management and guidance figures, counted set-based in SQL.

A child is up to date with checkups when every checkup due so far (with 30
days' grace) is recorded. Whether a checkup is due depends only on the birth
date and is monotone in it, so for each checkup we compute in Python the
latest birth date for which it is due by the reference day, and the database
compares birth dates against those few thresholds: no row is loaded to
Python whatever the number of children.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select

from parentapp.domain import HealthItemKind, Role
from parentapp.extensions import db
from parentapp.models import Child, ClassEnrollment, HealthRecord, ParentingClass, User
from parentapp.services.family.access import first_guardian_ids
from parentapp.services.health.plan import GRACE_DAYS
from parentapp.services.health.schedule import Schedule
from parentapp.timeutil import add_months

UNDER_MONTHS = 36


def latest_birth_date_due(due_of, ref_day: date, grace_days: int = GRACE_DAYS) -> date:
    """The latest birth date b with due_of(b) + grace <= ref_day (due_of is monotone)."""
    limit = ref_day - timedelta(days=grace_days)
    guess = limit
    while due_of(guess) > limit:  # step back past clamped month ends
        guess -= timedelta(days=max(1, (due_of(guess) - limit).days))
    while due_of(guess + timedelta(days=1)) <= limit:
        guess += timedelta(days=1)
    return guess


def checkup_thresholds(schedule: Schedule, ref_day: date) -> dict[str, date]:
    # A checkup counts once it is overdue, due + grace < ref_day: on the 30th day
    # after its due date it is still "due" in the child's plan.
    return {item.code: latest_birth_date_due(item.due.date_from, ref_day, GRACE_DAYS + 1)
            for item in schedule.items
            if item.kind == HealthItemKind.CHECKUP and not item.optional}


def under_three(ref_day: date):
    """Condition: the child was born by ref_day and is not yet 36 months old on it.

    36 months are completed when add_months(birth, 36) <= ref_day (age_months'
    rule), so the oldest birth date still under three is just after that threshold.
    """
    turned_three = latest_birth_date_due(lambda b: add_months(b, UNDER_MONTHS), ref_day, 0)
    return and_(Child.birth_date <= ref_day, Child.birth_date > turned_three)


def health_by_township(schedule: Schedule, ref_day: date) -> dict[str | None, tuple[int, int]]:
    """township -> (children under 3, of them up to date with checkups)."""
    thresholds = checkup_thresholds(schedule, ref_day)
    required = sum((case((Child.birth_date <= t, 1), else_=0) for t in thresholds.values()),
                   literal(0))
    recorded = (select(func.count(HealthRecord.id))
                .where(HealthRecord.child_id == Child.id, HealthRecord.done_on <= ref_day,
                       or_(*(and_(HealthRecord.code == code, Child.birth_date <= t)
                             for code, t in thresholds.items())))
                .scalar_subquery())
    up_to_date = case((recorded >= required, 1), else_=0)
    first = first_guardian_ids()
    stmt = (select(User.township, func.count(Child.id), func.coalesce(func.sum(up_to_date), 0))
            .join(first, first.c.child_id == Child.id).join(User, User.id == first.c.user_id)
            .where(under_three(ref_day), User.deleted_at.is_(None))
            .group_by(User.township))
    return {row[0]: (row[1], int(row[2])) for row in db.session.execute(stmt)}


def guidance_by_township(ref_day: date, ref_instant: datetime) -> dict[str | None, tuple[int, int]]:
    """township -> (families with a child under 3, of them attending a class in 12 months).

    A family is counted once, by its first guardian's account (whose ``township`` it
    is); it attended when that account did, or any of its people did with its child.
    """
    first = first_guardian_ids()
    families = (select(first.c.user_id).join(Child, Child.id == first.c.child_id)
                .where(under_three(ref_day)))
    attended_seats = (select(ClassEnrollment.family_id, ClassEnrollment.child_id)
                      .join(ParentingClass, ParentingClass.id == ClassEnrollment.class_id)
                      .where(ClassEnrollment.attended_at.is_not(None),
                             ParentingClass.cancelled_at.is_(None),
                             ParentingClass.starts_at > ref_instant - timedelta(days=365),
                             ParentingClass.starts_at <= ref_instant).subquery())
    with_child = (select(first.c.user_id)
                  .join(attended_seats, attended_seats.c.child_id == first.c.child_id))
    guided = case((User.id.in_(select(attended_seats.c.family_id)) | User.id.in_(with_child),
                   1), else_=0)
    stmt = (select(User.township, func.count(User.id), func.coalesce(func.sum(guided), 0))
            .where(User.role == Role.PARENT, User.deleted_at.is_(None), User.id.in_(families))
            .group_by(User.township))
    return {row[0]: (row[1], int(row[2])) for row in db.session.execute(stmt)}

