"""The outcome of each scheduled job's latest runs, one row per job, for ``/healthz``.

Written by the scheduler's job wrapper (and ``jobs run NAME``) after each run;
only the latest success and the latest failure are kept, not a history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime


class JobRun(db.Model):
    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_summary: Mapped[str | None] = mapped_column(String(300))
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The exception's class name only: its message may quote SQL parameters or a reply.
    last_error: Mapped[str | None] = mapped_column(String(120))
