"""Who sees which alerts, newest first: an operator their own nurseries', a regulator
every nursery's. Only a regulator closes an alert, once, with a note (AlertClosed,
409 ``alert_closed``, the second time).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from parentapp.domain import AlertStatus, AuditAction
from parentapp.errors import AlertClosed, NotFound
from parentapp.extensions import db
from parentapp.models import Alert, Nursery
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back


def _listing(stmt, *, page: int, per_page: int, status: str | None = None,
             kind: str | None = None, nursery_id: int | None = None) -> dict:
    if status:
        stmt = stmt.where(Alert.status == status)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if nursery_id:
        stmt = stmt.where(Alert.nursery_id == nursery_id)
    return paginate(stmt.order_by(Alert.opened_at.desc(), Alert.id.desc()), page, per_page)


def operator_alerts(operator_id: int, **filters) -> dict:
    """The alerts of the operator's nurseries (``status``, ``kind``, ``nursery_id``)."""
    own = db.select(Nursery.id).where(Nursery.operator_id == operator_id)
    return _listing(db.select(Alert).where(Alert.nursery_id.in_(own)), **filters)


def county_alerts(**filters) -> dict:
    """Every nursery's alerts, for regulators."""
    return _listing(db.select(Alert), **filters)


def county_open_counts() -> dict[str, int]:
    """Every nursery's open alerts by kind (kinds with none left out), for the dashboard."""
    return dict(db.session.execute(
        db.select(Alert.kind, func.count()).where(Alert.status == AlertStatus.OPEN)
        .group_by(Alert.kind)).all())


@rolls_back
def close_alert(regulator_id: int, alert_id: int, note: str, now: datetime) -> Alert:
    """Raises NotFound, AlertClosed (closed already: nothing changes)."""
    alert = db.session.scalar(db.select(Alert).where(Alert.id == alert_id).with_for_update()
                              .execution_options(populate_existing=True))
    if alert is None:
        raise NotFound("没有找到这条预警。")
    if alert.status == AlertStatus.CLOSED:
        raise AlertClosed(details={"closed_at": alert.closed_at.isoformat(timespec="seconds")})
    alert.status, alert.closed_at = AlertStatus.CLOSED, now
    alert.closed_by, alert.close_note = regulator_id, note
    audit.record(regulator_id, AuditAction.ALERT_CLOSE, alert, now=now,
                 before={"status": AlertStatus.OPEN},
                 after={"status": AlertStatus.CLOSED, "note": note})
    commit_keeping_loaded()
    return alert
