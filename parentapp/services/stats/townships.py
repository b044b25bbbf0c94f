"""Townships: the reference list and the populations the regulator sets."""

from __future__ import annotations

from datetime import datetime

from parentapp import data
from parentapp.domain import AuditAction
from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import Township
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back


@rolls_back
def ensure_townships() -> int:
    """Insert any reference township missing from the table; returns how many. Idempotent."""
    existing = set(db.session.scalars(db.select(Township.code)))
    added = 0
    for order, row in enumerate(data.townships()):
        if row["code"] in existing:
            continue
        db.session.add(Township(
            code=row["code"], name=row["name"], kind=row["kind"], sort_order=order,
            population=row["estimated_population"], population_estimated=True,
        ))
        added += 1
    db.session.commit()
    return added


def list_townships() -> list[Township]:
    return list(db.session.scalars(db.select(Township).order_by(Township.sort_order)))


def township_codes() -> set[str]:
    return {row["code"] for row in data.townships()}

AUDITED = ("population", "population_estimated")


@rolls_back
def set_population(code: str, population: int, *, actor_id: int, now: datetime) -> Township:
    """The regulator's count of residents. Raises NotFound."""
    township = db.session.get(Township, code)
    if township is None:
        raise NotFound("没有这个乡镇（街道）。")
    before = audit.snapshot(township, AUDITED)
    township.population = population
    township.population_estimated = False
    audit.record(actor_id, AuditAction.TOWNSHIP_POPULATION, township, now=now, before=before,
                 after=audit.snapshot(township, AUDITED))
    db.session.commit()
    return township
