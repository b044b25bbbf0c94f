"""The scheduler process: APScheduler 3's BlockingScheduler running ``jobs.JOBS``.

Started only by ``flask --app parentapp scheduler`` (never by ``create_app``,
so web workers never schedule anything). Each job has an explicit id,
``replace_existing``, ``coalesce`` (a backlog of missed runs becomes one run),
``max_instances=1`` and a misfire grace time; every run is logged, and its outcome
recorded in ``job_runs`` for ``/healthz`` (``run_and_record``, which ``jobs run`` uses too).

Leader lock: a row in ``scheduler_locks`` held with a lease renewed by every
run and by a heartbeat. A second scheduler process does NOT run jobs while
another holds a live lease: it logs a warning once, stands by, and takes over
when the lease runs out (its holder died). Jobs are safe to run twice at once
anyway (claims and unique keys), so even a split lock harms nothing.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from parentapp import jobs
from parentapp.extensions import db
from parentapp.models import SchedulerLock, utcnow
from parentapp.services.common import job_runs
from parentapp.services.common.dialect_insert import insert_for
from parentapp.timeutil import LOCAL_TZ

log = logging.getLogger(__name__)

# How often each job runs; a job without an entry (added by another feature) runs every minute.
INTERVALS = {
    "dispatch-notifications": {"seconds": 20},
    "plan-reminders": {"minutes": 5},
    "plan-subsidy-reminders": {"hours": 6},
    "expire-waitlist-offers": {"minutes": 1},
    "purge-idempotency-keys": {"hours": 1},
    "purge-notifications": {"hours": 24},
    # daily in effect: each certificate's alert opens once, so more runs change nothing
    "staff-certificates": {"hours": 6},
    # soon after the last round of a month closes; a second run changes nothing
    "allocate-places": {"minutes": 5},
    "expire-place-offers": {"minutes": 5},
}
DEFAULT_INTERVAL = {"minutes": 1}
MISFIRE_GRACE_SECONDS = 30
LOCK_NAME = "scheduler"
LEASE = timedelta(seconds=90)
HEARTBEAT_SECONDS = 30

_T = SchedulerLock.__table__


class LeaderLock:
    """The database-held lock that lets one scheduler process run the jobs."""

    def __init__(self, app: Flask, holder: str | None = None, lease: timedelta = LEASE) -> None:
        self.app = app
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease
        self._leading: bool | None = None

    def hold(self, now: datetime) -> bool:
        """Take or renew the lease; False while another live holder has it."""
        values = {"holder": self.holder, "lease_until": now + self.lease,
                  "acquired_at": case((_T.c.holder == self.holder, _T.c.acquired_at),
                                      else_=now)}
        with db.engine.begin() as conn:
            taken = conn.execute(update(_T).where(
                _T.c.name == LOCK_NAME,
                or_(_T.c.holder == self.holder, _T.c.lease_until < now)).values(**values)).rowcount
            if not taken:
                # RETURNING, since an INSERT's rowcount is not reliable on every driver.
                taken = conn.execute(insert_for(_T).values(
                    name=LOCK_NAME, holder=self.holder, lease_until=now + self.lease,
                    acquired_at=now).on_conflict_do_nothing(index_elements=["name"])
                    .returning(_T.c.name)).first() is not None
        self._note(bool(taken), now)
        return bool(taken)

    def _note(self, leading: bool, now: datetime) -> None:
        if leading == self._leading:
            return
        self._leading = leading
        if leading:
            log.info("scheduler %s holds the leader lock; running jobs", self.holder)
            return
        with db.engine.connect() as conn:
            other = conn.execute(select(_T.c.holder, _T.c.lease_until)
                                 .where(_T.c.name == LOCK_NAME)).first()
        log.warning("another scheduler (%s) holds the leader lock until %s; this one (%s) "
                    "stands by and runs no jobs", other and other.holder,
                    other and other.lease_until.isoformat(), self.holder)

    def heartbeat(self) -> None:
        with self.app.app_context():
            self.hold(utcnow())

    def release(self, now: datetime) -> None:
        """Let a standby scheduler take over at once (on a clean shutdown)."""
        with self.app.app_context(), db.engine.begin() as conn:
            conn.execute(update(_T).where(_T.c.name == LOCK_NAME, _T.c.holder == self.holder)
                         .values(lease_until=now - timedelta(seconds=1)))


def run_job_logged(app: Flask, name: str, lock: LeaderLock) -> str | None:
    """One scheduled run of job ``name``: only as leader, in its own app context, logged."""
    with app.app_context():
        now = utcnow()
        try:
            if not lock.hold(now):
                return None
            started = time.monotonic()
            summary = run_and_record(name, now)
            log.info("job %s done in %.2f s: %s", name, time.monotonic() - started, summary)
            return summary
        except Exception:
            log.exception("job %s failed", name)
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def run_and_record(name: str, now: datetime) -> str:
    """Run job ``name`` once and record its success or failure in ``job_runs`` (for
    /healthz); raises what the job raised. A recording that fails is logged, not raised."""
    try:
        summary = jobs.run_job(name, now)
    except Exception as exc:
        db.session.rollback()
        _record(job_runs.record_failure, name, exc)
        raise
    _record(job_runs.record_success, name, summary)
    return summary


def _record(record, name: str, outcome) -> None:
    try:
        record(name, utcnow(), outcome)
    except SQLAlchemyError:
        log.warning("could not record the outcome of job %s", name, exc_info=True)


def build_scheduler(app: Flask, lock: LeaderLock) -> BlockingScheduler:
    """Every job of ``jobs.JOBS`` on its interval, plus the lock's heartbeat (not started).

    Each job first runs as soon as the scheduler starts, not an interval later.
    """
    first_run = datetime.now(LOCAL_TZ)
    scheduler = BlockingScheduler(timezone=LOCAL_TZ, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
    for name in sorted(jobs.JOBS):
        trigger = IntervalTrigger(timezone=LOCAL_TZ, **INTERVALS.get(name, DEFAULT_INTERVAL))
        scheduler.add_job(run_job_logged, trigger, args=(app, name, lock), id=name, name=name,
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, next_run_time=first_run)
    scheduler.add_job(lock.heartbeat, IntervalTrigger(seconds=HEARTBEAT_SECONDS,
                                                      timezone=LOCAL_TZ),
                      id="scheduler-lock-heartbeat", name="scheduler-lock-heartbeat",
                      replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=MISFIRE_GRACE_SECONDS)
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Block running the jobs until SIGTERM or Ctrl-C; the lock is released on the way out."""
    lock = LeaderLock(app)
    scheduler = build_scheduler(app, lock)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler %s starting: %s", lock.holder, ", ".join(sorted(jobs.JOBS)))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown(wait=False)
    finally:
        lock.release(utcnow())
        log.info("scheduler %s stopped", lock.holder)
