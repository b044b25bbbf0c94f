"""Messages are kept for a year: the inbox rows (which are also the WeChat outbox and
its delivery record) older than that are deleted by the ``purge-notifications`` job."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_

from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.common.batches import DELETE_BATCH, delete_batch
from parentapp.services.common.transactions import rolls_back

KEEP_NOTIFICATIONS = timedelta(days=365)

log = logging.getLogger(__name__)


@rolls_back
def purge_old_notifications(now: datetime, *, batch_size: int = DELETE_BATCH) -> int:
    """Delete messages created and planned more than 365 days before ``now``, read or not,
    whatever their delivery state; one commit per batch. Returns how many went."""
    cutoff = now - KEEP_NOTIFICATIONS
    # Both instants: a row planned for later than it was written stays until that is old too.
    old = and_(Notification.created_at < cutoff, Notification.planned_at < cutoff)
    total = 0
    while True:
        deleted = delete_batch(Notification, old, batch_size)
        db.session.commit()
        total += deleted
        if deleted < batch_size:
            log.info("purged %d notifications older than %s", total, cutoff.isoformat())
            return total
