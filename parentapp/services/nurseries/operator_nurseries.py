"""Operators' nurseries: create, read, change, submit for filing.

Another operator's nursery is indistinguishable from a missing one (NotFound).
Changing a registration fact (models.nursery.REGISTRATION_FACTS) of an approved
nursery sends it back to ``pending`` and out of parent search; descriptive
fields (phone, description, opening hours, open_to_public) change in place.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.domain import AuditAction, FilingStatus
from parentapp.errors import InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Nursery
from parentapp.models.nursery import REGISTRATION_FACTS
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries import filings
from parentapp.services.nurseries.licensed_places import kind_places_problem

FIELD_NAMES = {"name": "名称", "credit_code": "统一社会信用代码", "address": "地址",
               "licensed_places": "核定托位数", "township": "乡镇（街道）", "lat": "纬度",
               "lng": "经度", "kind": "机构类型", "registration_type": "登记类型",
               "inclusive": "普惠性质"}


@rolls_back
def create_nursery(operator_id: int, fields: dict, now: datetime) -> Nursery:
    """A draft nursery; its creation opens the audit trail."""
    nursery = Nursery(operator_id=operator_id, filing_status=FilingStatus.DRAFT, created_at=now,
                      updated_at=now, **fields)
    db.session.add(nursery)
    db.session.flush()
    filings.record_event(nursery, None, actor_id=operator_id, now=now)
    audit.record(operator_id, AuditAction.NURSERY_CREATE, nursery, now=now,
                 after=audit.snapshot(nursery, fields))
    db.session.commit()
    return nursery


def list_own_nurseries(operator_id: int, page: int, per_page: int) -> dict:
    stmt = db.select(Nursery).where(Nursery.operator_id == operator_id).order_by(Nursery.id)
    return paginate(stmt, page, per_page)


def get_own_nursery(operator_id: int, nursery_id: int) -> Nursery:
    nursery = db.session.get(Nursery, nursery_id)
    if nursery is None or nursery.operator_id != operator_id:
        raise NotFound("没有找到这家托育机构。")
    return nursery


@rolls_back
def update_nursery(operator_id: int, nursery_id: int, changes: dict, now: datetime) -> Nursery:
    """Apply ``changes``; re-file when an approved nursery's registration facts change.

    Raises NotFound, InvalidState (a revoked filing is closed), ValidationFailed on
    ``licensed_places`` (more than a family care point may have, with the kind it has or
    is changed to).
    """
    nursery = _locked_own(operator_id, nursery_id)
    if nursery.filing_status == FilingStatus.REVOKED:
        raise InvalidState("备案已撤销的机构不能再修改。", details={"status": FilingStatus.REVOKED})
    before = audit.snapshot(nursery, [*changes, "filing_status"])
    diff = {key: [getattr(nursery, key), value] for key, value in changes.items()
            if getattr(nursery, key) != value}
    for key, (_, value) in diff.items():
        setattr(nursery, key, value)
    problem = kind_places_problem(nursery.kind, nursery.licensed_places)
    if problem:
        raise ValidationFailed.on("licensed_places", problem)
    facts = {key: diff[key] for key in REGISTRATION_FACTS if key in diff}
    if facts and nursery.filing_status in (FilingStatus.APPROVED, FilingStatus.PENDING):
        reason = "变更登记信息：" + "、".join(FIELD_NAMES[key] for key in facts)
        if nursery.filing_status == FilingStatus.APPROVED:
            filings.transition(nursery, "refile", actor_id=operator_id, now=now, reason=reason,
                               changes=facts)
        else:  # under review: the regulator must see what changed meanwhile
            filings.record_event(nursery, FilingStatus.PENDING, actor_id=operator_id, now=now,
                                 reason=reason, changes=facts)
    if diff:
        nursery.updated_at = now
    audit.record(operator_id, AuditAction.NURSERY_UPDATE, nursery, now=now, before=before,
                 after=audit.snapshot(nursery, before))
    db.session.commit()
    return nursery


@rolls_back
def submit_filing(operator_id: int, nursery_id: int, now: datetime) -> Nursery:
    """draft or rejected -> pending. Raises NotFound, InvalidState."""
    nursery = _locked_own(operator_id, nursery_id)
    event = filings.transition(nursery, "submit", actor_id=operator_id, now=now)
    filings.audit_decision(event, AuditAction.FILING_SUBMIT, nursery, now)
    db.session.commit()
    return nursery


def _locked_own(operator_id: int, nursery_id: int) -> Nursery:
    nursery = filings.lock_nursery(nursery_id)
    if nursery is None or nursery.operator_id != operator_id:
        raise NotFound("没有找到这家托育机构。")
    return nursery
