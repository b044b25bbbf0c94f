"""Offerings: one per nursery and care type, with the contract's default terms.

PUT replaces the whole offering; a term left out takes its default again.
The price of a slot is its offering's price; a booking keeps the price it was
made at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from parentapp.domain import AuditAction, CareType
from parentapp.errors import NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Offering
from parentapp.models.offering import DEFAULT_TERMS, MAX_AGE_MONTHS
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries.access import owned_nursery


def default_terms(care_type: str) -> dict[str, int]:
    ahead, notice, cutoff = DEFAULT_TERMS[care_type]
    return {"book_ahead_days": ahead, "min_notice_hours": notice, "cancel_cutoff_hours": cutoff,
            "age_min_months": 0, "age_max_months": MAX_AGE_MONTHS}


@rolls_back
def put_offering(operator_id: int, nursery_id: int, care_type: str, *, fields: dict,
                 now: datetime) -> Offering:
    """Create or replace the offering. Raises NotFound (nursery, care type),
    ValidationFailed (age range)."""
    if care_type not in CareType.values():
        raise NotFound("没有这种托育类型。")
    owned_nursery(operator_id, nursery_id, lock=True)  # two first PUTs: one creates
    values = {**default_terms(care_type), **fields}
    if values["age_min_months"] > values["age_max_months"]:
        raise ValidationFailed.on("age_min_months", "最小月龄不能大于最大月龄。")
    offering = db.session.scalar(db.select(Offering).where(
        Offering.nursery_id == nursery_id, Offering.care_type == care_type))
    before = audit.snapshot(offering, values) if offering else {}
    if offering is None:
        offering = Offering(nursery_id=nursery_id, care_type=care_type)
        db.session.add(offering)
    for key, value in values.items():
        setattr(offering, key, value)
    offering.updated_at = now
    audit.record(operator_id, AuditAction.OFFERING_PUT, offering, now=now, before=before,
                 after=audit.snapshot(offering, values))
    db.session.commit()
    return offering


def list_offerings(nursery_ids: Iterable[int]) -> dict[int, list[Offering]]:
    """Offerings per nursery id in care-type order, in one query."""
    ids = list(set(nursery_ids))
    result: dict[int, list[Offering]] = {nid: [] for nid in ids}
    if not ids:
        return result
    order = {care_type: n for n, care_type in enumerate(DEFAULT_TERMS)}
    rows = db.session.scalars(db.select(Offering).where(Offering.nursery_id.in_(ids)))
    for offering in sorted(rows, key=lambda o: (o.nursery_id, order[o.care_type])):
        result[offering.nursery_id].append(offering)
    return result


def own_offerings(operator_id: int, nursery_id: int) -> list[Offering]:
    owned_nursery(operator_id, nursery_id)
    return list_offerings([nursery_id])[nursery_id]


def offerings_by_key(nursery_ids: Iterable[int]) -> dict[tuple[int, str], Offering]:
    return {(o.nursery_id, o.care_type): o
            for offerings in list_offerings(nursery_ids).values() for o in offerings}
