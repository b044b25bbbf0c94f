"""A child's health plan and the doses and checkups recorded against it.

A dose is recorded by its code (``DTaP-1``) or by the product given (``DTaP-IPV-Hib``,
the schedule's ``products``): a product dose counts as the next undone dose of each
series it covers, one row per series with the product's code, and deleting any of
those rows deletes the product dose from every series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam

from parentapp.domain import ChildRight
from parentapp.errors import InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Child, HealthRecord
from parentapp.services.accounts import children
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access
from parentapp.services.health.plan import PlanItem, next_doses, plan_items, recordable_codes
from parentapp.services.health.schedule import Schedule
from parentapp.services.reminders import health_planning
from parentapp.timeutil import local_today


@dataclass(frozen=True)
class Recorded:
    """What one POST recorded: the codes it counted as, by ``product`` when given."""

    codes: list[str]
    done_on: date
    product: str | None

    @property
    def code(self) -> str:
        return self.codes[0]


RECORDED = (db.select(HealthRecord.code, HealthRecord.done_on, HealthRecord.product)
            .where(HealthRecord.child_id == bindparam("child_id")))  # built once


def recorded_doses(child_id: int) -> tuple[dict[str, date], dict[str, str]]:
    """(code -> date done, code -> product) of one child's records."""
    rows = db.session.execute(RECORDED, {"child_id": child_id})
    done, products = {}, {}
    for code, done_on, product in rows:
        done[code] = done_on
        if product is not None:
            products[code] = product
    return done, products


def child_plan(child: Child, schedule: Schedule, today: date) -> list[PlanItem]:
    """The plan of a loaded child as of ``today``."""
    done, products = recorded_doses(child.id)
    return plan_items(schedule, child.birth_date, choices=child.vaccine_choices, records=done,
                      today=today, products=products, hbsag_mother=child.hbsag_mother,
                      birth_weight_g=child.birth_weight_g)


def health_plan(parent_id: int, child_id: int, now: datetime, *,
                schedule: Schedule) -> tuple[Schedule, list[PlanItem]]:
    """Every dose and checkup from birth to 6 years; two queries whatever the plan's size."""
    child = children.get_child(parent_id, child_id)
    return schedule, child_plan(child, schedule, local_today(now))


@rolls_back
def record_item(parent_id: int, child_id: int, *, code: str | None = None,
                product: str | None = None, done_on: date, now: datetime,
                schedule: Schedule) -> tuple[Recorded, bool]:
    """Record ``code``, or a dose of ``product``, as done; a code again replaces its date,
    the same product on the same day again changes nothing. Returns (what was recorded,
    created).

    Raises NotFound, Forbidden (a viewer), ValidationFailed (neither or both of code and
    product, unknown code or product, date before birth or in the future), InvalidState
    (every dose the product covers is recorded already).
    """
    child = access.child_for(parent_id, child_id, ChildRight.ACT, lock=True)
    _check_record(child, code, product, done_on, now, schedule)
    if product is not None:
        recorded, created = _record_product(child, product, done_on, now, schedule)
        db.session.commit()
        return recorded, created
    record = db.session.scalar(db.select(HealthRecord).where(
        HealthRecord.child_id == child.id, HealthRecord.code == code))
    created = record is None
    if created:
        record = HealthRecord(child_id=child.id, code=code)
        db.session.add(record)
    record.done_on, record.recorded_at, record.product = done_on, now, None
    health_planning.item_recorded(child, [code], now)
    db.session.commit()
    return Recorded([code], done_on, None), created


def _record_product(child: Child, product: str, done_on: date, now: datetime,
                    schedule: Schedule) -> tuple[Recorded, bool]:
    again = list(db.session.scalars(db.select(HealthRecord.code).where(
        HealthRecord.child_id == child.id, HealthRecord.product == product,
        HealthRecord.done_on == done_on)))
    if again:
        order = schedule.products[product].counts_as
        again.sort(key=lambda code: (order.index(schedule.by_code[code].series)
                                     if schedule.by_code[code].series in order else len(order)))
        return Recorded(again, done_on, product), False
    plan = child_plan(child, schedule, local_today(now))
    codes = []
    for series in schedule.products[product].counts_as:
        undone = next_doses(schedule, plan, series)
        if undone:
            codes.append(undone[0].code)
    if not codes:
        raise InvalidState(f"{schedule.products[product].name}涵盖的各剂次都已记录。",
                           details={"product": product})
    for code in codes:
        db.session.add(HealthRecord(child_id=child.id, code=code, done_on=done_on,
                                    product=product, recorded_at=now))
    health_planning.item_recorded(child, codes, now)
    return Recorded(codes, done_on, product), True


@rolls_back
def delete_record(parent_id: int, child_id: int, code: str) -> None:
    """Deletes the record of ``code``; one recorded through a product takes the product's
    dose out of every series it counted for.

    Raises NotFound (child, or nothing recorded), Forbidden (a viewer)."""
    child = access.child_for(parent_id, child_id, ChildRight.ACT, lock=True)
    record = db.session.scalar(db.select(HealthRecord).where(
        HealthRecord.child_id == child.id, HealthRecord.code == code))
    if record is None:
        db.session.rollback()
        raise NotFound("该项目还没有记录。")
    if record.product is None:
        db.session.delete(record)
    else:
        db.session.execute(db.delete(HealthRecord).where(
            HealthRecord.child_id == child.id, HealthRecord.product == record.product,
            HealthRecord.done_on == record.done_on))
    health_planning.mark_child_changed(child.id)
    db.session.commit()


def _check_record(child: Child, code: str | None, product: str | None, done_on: date,
                  now: datetime, schedule: Schedule) -> None:
    if (code is None) == (product is None):
        problem = "请填写疫苗或体检项目代码（code）或疫苗产品（product），二者选一。"
        raise ValidationFailed(details={"code": [problem], "product": [problem]})
    if code is not None and code not in recordable_codes(schedule):
        raise ValidationFailed.on("code", "没有这个疫苗或体检项目代码。")
    if product is not None and product not in schedule.products:
        raise ValidationFailed.on("product", "没有这个疫苗产品代码。")
    if done_on < child.birth_date:
        raise ValidationFailed.on("done_on", "完成日期不能早于出生日期。")
    if done_on > local_today(now):
        raise ValidationFailed.on("done_on", "完成日期不能晚于今天。")
