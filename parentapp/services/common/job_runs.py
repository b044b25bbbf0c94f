"""Each scheduled job's latest success and failure, and the scheduler's health from them.

A recording is its own short transaction, written after the job's work ended
(or rolled back), so it never makes a job's work commit or fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from parentapp.extensions import db
from parentapp.models import JobRun
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import rolls_back

# The most frequent jobs run every 20 s to 1 min: no success for this long means the
# scheduler is down, stuck, or failing every run.
LATE_AFTER = timedelta(minutes=10)


@rolls_back
def record_success(name: str, finished_at: datetime, summary: str) -> None:
    _upsert(name, last_success_at=finished_at, last_summary=summary[:300])
    db.session.commit()


@rolls_back
def record_failure(name: str, failed_at: datetime, error: BaseException) -> None:
    """Keeps the exception's class name only (its text may quote parameters)."""
    _upsert(name, last_failure_at=failed_at, last_error=type(error).__name__[:120])
    db.session.commit()


def _upsert(name: str, **values) -> None:
    """Caller commits."""
    statement = insert_for(JobRun.__table__).values(name=name, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))


def scheduler_status(job_names: Iterable[str], now: datetime) -> dict:
    """``{"last_success_at", "late", "jobs": {name: {...}}}`` for the jobs named (read only).

    ``last_success_at`` is the latest success of any job (None before the first);
    ``late`` says no job succeeded within LATE_AFTER; a job is ``failing`` when its
    latest run failed.
    """
    rows = {row.name: row for row in db.session.scalars(db.select(JobRun))}
    jobs = {}
    for name in sorted(job_names):
        row = rows.get(name)
        success, failure = (row.last_success_at, row.last_failure_at) if row else (None, None)
        jobs[name] = {"last_success_at": success, "last_failure_at": failure,
                      "failing": failure is not None and (success is None or failure > success)}
    last = max((job["last_success_at"] for job in jobs.values() if job["last_success_at"]),
               default=None)
    return {"last_success_at": last, "late": last is None or now - last > LATE_AFTER,
            "jobs": jobs}
