"""The regulators' operational view of notification delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from parentapp.domain import DeliveryState
from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.common.pagination import paginate

MAX_DAYS = 90
ENDED_BADLY = (DeliveryState.FAILED, DeliveryState.DEAD)


def notification_stats(days: int, now: datetime, page: int, per_page: int) -> dict:
    """Counts by state and kind for rows created in the last ``days`` days, the error
    codes of rows that ended failed or dead, and those rows (newest first, paginated)."""
    since = now - timedelta(days=days)
    recent = Notification.created_at >= since
    counts = db.session.execute(
        select(Notification.kind, Notification.delivery_state, func.count())
        .where(recent).group_by(Notification.kind, Notification.delivery_state)
        .order_by(Notification.kind, Notification.delivery_state)).all()
    by_state = dict.fromkeys(DeliveryState.values(), 0)
    for _, state, count in counts:
        by_state[state] += count
    bad = (recent, Notification.delivery_state.in_(ENDED_BADLY))
    errors = db.session.execute(
        select(Notification.last_error, func.count()).where(*bad)
        .group_by(Notification.last_error).order_by(func.count().desc())).all()
    failures = paginate(select(Notification).where(*bad).order_by(Notification.id.desc()),
                        page, per_page)
    return {
        "days": days, "since": since, "by_state": by_state,
        "counts": [{"kind": k, "state": s, "count": c} for k, s, c in counts],
        "errors": [{"error": e or "unknown", "count": c} for e, c in errors],
        "failures": failures,
    }
