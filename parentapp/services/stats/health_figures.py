"""Health-management and guidance figures, counted set-based in SQL.

Three health figures stand side by side (domain reference §8):

- ``health_management_rate``, the product's own stricter proxy: children under 3 whose
  every checkup due so far is recorded;
- ``system_management_rate`` (3岁以下儿童系统管理率), the official 4:2:2 rule: the
  checks at 3, 6, 8 and 12 months, 18 and 24, 30 and 36 (``SYSTEM_CHECKS``), as far as
  the child's age has reached them;
- ``child_health_management_rate`` (0-6岁儿童健康管理率): children under 7 with at least
  one check recorded in the year.

A child is up to date with checkups when every checkup due so far (with 30
days' grace) is recorded. Whether a checkup is due depends only on the birth
date and is monotone in it, so for each checkup we compute in Python the
latest birth date for which it is due by the reference day, and the database
compares birth dates against those few thresholds: no row is loaded to
Python whatever the number of children.
"""

from __future__ import annotations

from collections.abc import Collection
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
UNDER_SEVEN_MONTHS = 84
# The 4:2:2 checks of 3岁以下儿童系统管理率 (国家基本公共卫生服务规范（第三版）, 0～6岁儿童
# 健康管理: four in the first year, two in each of the second and third).
SYSTEM_CHECKS = ("CHK-3M", "CHK-6M", "CHK-8M", "CHK-12M", "CHK-18M", "CHK-24M", "CHK-30M",
                 "CHK-36M")


def latest_birth_date_due(due_of, ref_day: date, grace_days: int = GRACE_DAYS) -> date:
    """The latest birth date b with due_of(b) + grace <= ref_day (due_of is monotone)."""
    limit = ref_day - timedelta(days=grace_days)
    guess = limit
    while due_of(guess) > limit:  # step back past clamped month ends
        guess -= timedelta(days=max(1, (due_of(guess) - limit).days))
    while due_of(guess + timedelta(days=1)) <= limit:
        guess += timedelta(days=1)
    return guess


def checkup_thresholds(schedule: Schedule, ref_day: date,
                       codes: Collection[str] | None = None) -> dict[str, date]:
    """For each checkup (of ``codes`` if given), the latest birth date it is owed by."""
    # A checkup counts once it is overdue, due + grace < ref_day: on the 30th day
    # after its due date it is still "due" in the child's plan.
    return {item.code: latest_birth_date_due(item.due.date_from, ref_day, GRACE_DAYS + 1)
            for item in schedule.items
            if item.kind == HealthItemKind.CHECKUP and not item.optional
            and (codes is None or item.code in codes)}


def under_three(ref_day: date):
    """Condition: the child was born by ref_day and is not yet 36 months old on it."""
    return under_months(ref_day, UNDER_MONTHS)


def under_months(ref_day: date, months: int):
    """Condition: the child was born by ref_day and is not yet ``months`` old on it.

    The months are completed when add_months(birth, months) <= ref_day (age_months'
    rule), so the oldest birth date still under is just after that threshold.
    """
    turned = latest_birth_date_due(lambda b: add_months(b, months), ref_day, 0)
    return and_(Child.birth_date <= ref_day, Child.birth_date > turned)


def health_by_township(schedule: Schedule, ref_day: date,
                       codes: Collection[str] | None = None) -> dict[str | None, tuple[int, int]]:
    """township -> (children under 3, of them with every checkup owed so far recorded);
    only the checkups of ``codes`` when given (``SYSTEM_CHECKS``: the 4:2:2 rule)."""
    thresholds = checkup_thresholds(schedule, ref_day, codes)
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


def checked_in_year_by_township(schedule: Schedule,
                                ref_day: date) -> dict[str | None, tuple[int, int]]:
    """township -> (children under 7, of them with a checkup recorded from 1 January of
    ``ref_day``'s year to ``ref_day``)."""
    checkups = [item.code for item in schedule.items if item.kind == HealthItemKind.CHECKUP]
    checked = (select(HealthRecord.id)
               .where(HealthRecord.child_id == Child.id, HealthRecord.code.in_(checkups),
                      HealthRecord.done_on >= date(ref_day.year, 1, 1),
                      HealthRecord.done_on <= ref_day).exists())
    first = first_guardian_ids()
    stmt = (select(User.township, func.count(Child.id),
                   func.coalesce(func.sum(case((checked, 1), else_=0)), 0))
            .join(first, first.c.child_id == Child.id).join(User, User.id == first.c.user_id)
            .where(under_months(ref_day, UNDER_SEVEN_MONTHS), User.deleted_at.is_(None))
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

