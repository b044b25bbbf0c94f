"""The filing (备案) state machine and the regulator's decisions.

    draft -> pending -> approved | rejected
    rejected -> pending          (resubmission)
    approved -> revoked          (terminal)
    approved -> pending          (the operator changed registration facts: re-filing)

Every transition writes a FilingEvent (who, when, why) in the same transaction;
a transition the machine does not allow raises InvalidState and changes nothing.

A revocation sends ``parentapp.signals.filing_revoked`` inside its transaction, so
other features undo what hangs on the nursery (bookings cancel its future
bookings there); a receiver that raises aborts the revocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from parentapp.domain import AuditAction, FilingStatus, NotificationKind
from parentapp.errors import InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import FilingEvent, Nursery, User
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.reminders.inbox import notify
from parentapp.signals import filing_revoked
from parentapp.timeutil import local_today

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({FilingStatus.DRAFT, FilingStatus.REJECTED}), FilingStatus.PENDING),
    "refile": (frozenset({FilingStatus.APPROVED}), FilingStatus.PENDING),
    "approve": (frozenset({FilingStatus.PENDING}), FilingStatus.APPROVED),
    "reject": (frozenset({FilingStatus.PENDING}), FilingStatus.REJECTED),
    "revoke": (frozenset({FilingStatus.APPROVED}), FilingStatus.REVOKED),
}
# The queue leaves drafts out: nothing was filed yet (a draft's detail is still readable,
# and acting on it is invalid_state, like any other transition the machine refuses).
REVIEWABLE = (FilingStatus.PENDING, FilingStatus.APPROVED, FilingStatus.REJECTED,
              FilingStatus.REVOKED)
STATUS_NAMES = {"draft": "草稿", "pending": "待审核", "approved": "已备案",
                "rejected": "已退回", "revoked": "已撤销"}



@dataclass
class FilingRecord:
    """A filing as the regulator reads it: the nursery, its operator, its audit trail."""

    nursery: Nursery
    operator: User
    events: list[FilingEvent]

    @property
    def nursery_id(self) -> int:
        return self.nursery.id


def record_event(nursery: Nursery, from_status: str | None, *, actor_id: int | None,
                 now: datetime, reason: str | None = None, changes: dict | None = None
                 ) -> FilingEvent:
    event = FilingEvent(nursery_id=nursery.id, from_status=from_status,
                        to_status=nursery.filing_status, actor_id=actor_id, reason=reason,
                        filing_no=nursery.filing_no, changes=changes, created_at=now)
    db.session.add(event)
    return event


def transition(nursery: Nursery, action: str, *, actor_id: int | None, now: datetime,
               reason: str | None = None, changes: dict | None = None) -> FilingEvent:
    """Move ``nursery`` (locked by the caller) along ``action``; the caller commits."""
    allowed_from, to_status = TRANSITIONS[action]
    current = nursery.filing_status
    if current not in allowed_from:
        raise InvalidState(
            f"备案状态为“{STATUS_NAMES[current]}”，不能进行此操作。",
            details={"status": current, "allowed_from": sorted(allowed_from)})
    nursery.filing_status = to_status
    if to_status == FilingStatus.PENDING:
        nursery.submitted_at = now
    return record_event(nursery, current, actor_id=actor_id, now=now, reason=reason,
                        changes=changes)


def audit_decision(event: FilingEvent, action: AuditAction, nursery: Nursery,
                   now: datetime) -> None:
    """The audit entry of a filing step: its status and reason. Caller commits."""
    audit.record(event.actor_id, action, nursery, now=now,
                 before={"filing_status": event.from_status},
                 after={"filing_status": event.to_status, "reason": event.reason})


def lock_nursery(nursery_id: int) -> Nursery | None:
    """The nursery row, locked for this transaction, with fresh values."""
    return db.session.scalar(
        db.select(Nursery).where(Nursery.id == nursery_id).with_for_update()
        .execution_options(populate_existing=True))


def filing_queue(status: str | None, township: str | None, page: int, per_page: int) -> dict:
    """Filings (never drafts), oldest submission first: the regulator's work queue."""
    stmt = db.select(Nursery).order_by(Nursery.submitted_at, Nursery.id)
    stmt = stmt.where(Nursery.filing_status == status) if status else stmt.where(
        Nursery.filing_status.in_(REVIEWABLE))
    if township:
        stmt = stmt.where(Nursery.township == township)
    return paginate(stmt, page, per_page)


def filing_counts() -> dict[str, int]:
    """How many filings are in each reviewable status (the queue's tabs)."""
    rows = db.session.execute(
        db.select(Nursery.filing_status, db.func.count()).where(
            Nursery.filing_status.in_(REVIEWABLE)).group_by(Nursery.filing_status))
    return {status: 0 for status in REVIEWABLE} | dict(rows.all())


def get_filing(nursery_id: int) -> FilingRecord:
    nursery = db.session.get(Nursery, nursery_id)
    if nursery is None:
        raise NotFound("没有找到该备案。")
    return _record(nursery)


def _record(nursery: Nursery) -> FilingRecord:
    db.session.expire(nursery, ["events"])
    return FilingRecord(nursery, db.session.get(User, nursery.operator_id), list(nursery.events))


@rolls_back
def approve_filing(nursery_id: int, filing_no: str, regulator_id: int,
                   now: datetime) -> FilingRecord:
    """pending -> approved with the commission's filing number; filed_on is the local date.

    Raises NotFound, InvalidState, ValidationFailed (filing_no names another nursery).
    """
    nursery = _locked_filing(nursery_id)
    _check_filing_no_free(filing_no, nursery.id)
    before = audit.snapshot(nursery, ("filing_status", "filing_no", "filed_on"))
    nursery.filing_no, nursery.filed_on = filing_no, local_today(now)
    transition(nursery, "approve", actor_id=regulator_id, now=now)
    audit.record(regulator_id, AuditAction.FILING_APPROVE, nursery, now=now, before=before,
                 after=audit.snapshot(nursery, before))
    _tell_operator(nursery, NotificationKind.FILING_APPROVED, "托育机构备案已通过",
                   f"“{nursery.name}”已完成备案，备案编号 {filing_no}，家长现在可以查到它。", now)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent approval took the same number
        raise _filing_no_taken() from exc
    return _record(nursery)


@rolls_back
def reject_filing(nursery_id: int, reason: str, regulator_id: int,
                  now: datetime) -> FilingRecord:
    """pending -> rejected; the operator may correct and resubmit. Raises NotFound, InvalidState."""
    nursery = _locked_filing(nursery_id)
    audit_decision(transition(nursery, "reject", actor_id=regulator_id, now=now, reason=reason),
                   AuditAction.FILING_REJECT, nursery, now)
    _tell_operator(nursery, NotificationKind.FILING_REJECTED, "托育机构备案被退回",
                   f"“{nursery.name}”的备案被退回：{reason} 修改后可重新提交。", now)
    db.session.commit()
    return _record(nursery)


@rolls_back
def revoke_filing(nursery_id: int, reason: str, regulator_id: int,
                  now: datetime) -> FilingRecord:
    """approved -> revoked: hidden from parents; ``filing_revoked`` receivers run in this
    transaction.

    Raises NotFound, InvalidState.
    """
    nursery = _locked_filing(nursery_id)
    audit_decision(transition(nursery, "revoke", actor_id=regulator_id, now=now, reason=reason),
                   AuditAction.FILING_REVOKE, nursery, now)
    filing_revoked.send(nursery, now=now)
    _tell_operator(nursery, NotificationKind.FILING_REVOKED, "托育机构备案已撤销",
                   f"“{nursery.name}”的备案已被撤销：{reason}", now)
    db.session.commit()
    return _record(nursery)


def _locked_filing(nursery_id: int) -> Nursery:
    nursery = lock_nursery(nursery_id)
    if nursery is None:
        raise NotFound("没有找到该备案。")
    return nursery


def _check_filing_no_free(filing_no: str, nursery_id: int | None) -> None:
    holder = db.session.scalar(db.select(Nursery.id).where(Nursery.filing_no == filing_no))
    if holder is not None and holder != nursery_id:
        raise _filing_no_taken()


def _filing_no_taken() -> ValidationFailed:
    return ValidationFailed.on("filing_no", "该备案编号已用于另一家机构。")


def _tell_operator(nursery: Nursery, kind: str, title: str, body: str, now: datetime) -> None:
    notify(nursery.operator_id, kind, title=title, body=body, now=now, subject=("nursery",
                                                                                nursery.id),
           link="/console/nurseries")
