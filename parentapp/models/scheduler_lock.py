"""The scheduler's leader lock: one row per lock name, held by a lease.

Only the process holding a live lease runs scheduled jobs; a second scheduler
process waits and takes over when the lease runs out (its holder died).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime


class SchedulerLock(db.Model):
    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
