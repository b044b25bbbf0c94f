"""Opening alerts: once per cause, and everyone who must know hears at once.

``alerts.cause_key`` is unique and rows go in with INSERT ... ON CONFLICT DO
NOTHING, so two requests that find one cause at once open one alert. Each opened
alert puts one inbox message per person (the nursery's operator and every
regulator) in the same transaction, keyed ``alert:{id}:{user}``. Alerts travel in the
inbox only: no WeChat subscription template carries them (operators and
regulators use the console).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from parentapp.domain import AlertKind, AlertStatus, DeliveryState, NotificationKind, Role
from parentapp.extensions import db
from parentapp.models import Alert, Notification, Nursery, User
from parentapp.services.common.dialect_insert import insert_for

_LOCK_CLASS = 7_301  # the advisory-lock namespace of alert detection

TITLES = {AlertKind.ILLNESS_CLUSTER: "预警：疑似聚集性疾病",
          AlertKind.RATIO_BREACH: "预警：保育人员配比不足",
          AlertKind.CERTIFICATE_EXPIRING: "预警：员工证件即将到期",
          AlertKind.CERTIFICATE_EXPIRED: "预警：员工证件已过期"}


@dataclass(frozen=True)
class Cause:
    kind: str
    nursery_id: int
    key: str
    details: dict
    message: str  # what happened, for the inbox (the nursery's name goes first)


def lock_nursery_alerts(nursery_id: int) -> None:
    """Detection at one nursery runs one transaction at a time (caller commits).

    Without it two records written at once could each miss the other and together
    complete a cluster nobody sees. On PostgreSQL a transaction-scoped advisory
    lock, taken after the record's own row locks and held by nothing that waits on
    a row lock; on SQLite writers already run one at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, :id)"),
                           {"cls": _LOCK_CLASS, "id": nursery_id})


def open_alerts(causes: list[Cause], now: datetime) -> list[int]:
    """Open an alert for each cause not opened before and tell the nursery's operator
    and every regulator; returns the new alerts' ids (caller commits)."""
    if not causes:
        return []
    rows = [{"kind": c.kind, "nursery_id": c.nursery_id, "cause_key": c.key,
             "opened_at": now, "details": c.details, "status": AlertStatus.OPEN}
            for c in causes]
    table = Alert.__table__
    stmt = (insert_for(table).on_conflict_do_nothing(index_elements=["cause_key"])
            .returning(table.c.id, table.c.cause_key))
    opened = dict((key, alert_id) for alert_id, key in db.session.execute(stmt, rows).all())
    if opened:
        _tell([(opened[c.key], c) for c in causes if c.key in opened], now)
    return sorted(opened.values())


def _tell(opened: list[tuple[int, Cause]], now: datetime) -> None:
    nurseries = {n_id: (name, operator_id) for n_id, name, operator_id in db.session.execute(
        db.select(Nursery.id, Nursery.name, Nursery.operator_id)
        .where(Nursery.id.in_({c.nursery_id for _, c in opened})))}
    regulators = db.session.scalars(db.select(User.id).where(User.role == Role.REGULATOR)).all()
    rows = []
    for alert_id, cause in opened:
        name, operator_id = nurseries[cause.nursery_id]
        for user_id in dict.fromkeys([operator_id, *regulators]):
            rows.append({
                "user_id": user_id, "kind": NotificationKind.ALERT, "template_kind": None,
                "dedupe_key": f"alert:{alert_id}:{user_id}", "subject_type": "alert",
                "subject_id": alert_id, "title": TITLES[cause.kind],
                "body": f"“{name}”：{cause.message}"[:500], "planned_at": now,
                "send_after": now, "delivery_state": DeliveryState.INBOX_ONLY,
                "attempts": 0, "created_at": now})
    db.session.execute(insert_for(Notification.__table__)
                       .on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
