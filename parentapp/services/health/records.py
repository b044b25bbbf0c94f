"""A child's health plan and the doses and checkups recorded against it."""

from __future__ import annotations

from datetime import date, datetime

from parentapp.domain import ChildRight
from parentapp.errors import NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Child, HealthRecord
from parentapp.services.accounts import children
from parentapp.services.common.transactions import rolls_back
from parentapp.services.health.plan import PlanItem, plan_items, recordable_codes
from parentapp.services.health.schedule import Schedule
from parentapp.services.reminders import health_planning
from parentapp.timeutil import local_today


def records_of(child_id: int) -> dict[str, date]:
    rows = db.session.execute(db.select(HealthRecord.code, HealthRecord.done_on)
                              .where(HealthRecord.child_id == child_id))
    return {code: done_on for code, done_on in rows}


def health_plan(parent_id: int, child_id: int, now: datetime, *,
                schedule: Schedule) -> tuple[Schedule, list[PlanItem]]:
    """Every dose and checkup from birth to 6 years; two queries whatever the plan's size."""
    child = children.get_child(parent_id, child_id)
    items = plan_items(schedule, child.birth_date, choices=child.vaccine_choices,
                       records=records_of(child.id),
                       today=local_today(now))
    return schedule, items


@rolls_back
def record_item(parent_id: int, child_id: int, *, code: str, done_on: date, now: datetime,
                schedule: Schedule) -> tuple[HealthRecord, bool]:
    """Record ``code`` as done; again replaces the date. Returns (record, created).

    Raises NotFound, Forbidden (a viewer), ValidationFailed (unknown code, date before
    birth or in the future).
    """
    child = children.get_child(parent_id, child_id, ChildRight.ACT)
    _check_record(child, code, done_on, now, schedule)
    record = db.session.scalar(db.select(HealthRecord).where(
        HealthRecord.child_id == child.id, HealthRecord.code == code))
    created = record is None
    if created:
        record = HealthRecord(child_id=child.id, code=code)
        db.session.add(record)
    record.done_on, record.recorded_at = done_on, now
    health_planning.item_recorded(child, code, now)
    db.session.commit()
    return record, created


@rolls_back
def delete_record(parent_id: int, child_id: int, code: str) -> None:
    """Raises NotFound (child, or nothing recorded), Forbidden (a viewer)."""
    child = children.get_child(parent_id, child_id, ChildRight.ACT)
    deleted = db.session.execute(db.delete(HealthRecord).where(
        HealthRecord.child_id == child.id, HealthRecord.code == code)).rowcount
    if not deleted:
        db.session.rollback()
        raise NotFound("该项目还没有记录。")
    health_planning.mark_child_changed(child.id)
    db.session.commit()


def _check_record(child: Child, code: str, done_on: date, now: datetime,
                  schedule: Schedule) -> None:
    if code not in recordable_codes(schedule):
        raise ValidationFailed.on("code", "没有这个疫苗或体检项目代码。")
    if done_on < child.birth_date:
        raise ValidationFailed.on("done_on", "完成日期不能早于出生日期。")
    if done_on > local_today(now):
        raise ValidationFailed.on("done_on", "完成日期不能晚于今天。")
