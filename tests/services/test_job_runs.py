"""The scheduler's job wrapper (and `jobs run`) records each job's last success and failure."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from parentapp import jobs, scheduler
from parentapp.extensions import db
from parentapp.models import JobRun, utcnow
from parentapp.scheduler import LeaderLock, run_job_logged
from parentapp.services.common import job_runs


def _row(name: str) -> SimpleNamespace | None:
    """The job's row as plain values; the read's transaction ends (on SQLite it holds the
    write lock that the next run needs)."""
    db.session.expire_all()
    row = db.session.get(JobRun, name)
    values = row and SimpleNamespace(**{c.key: getattr(row, c.key)
                                        for c in JobRun.__table__.columns})
    db.session.rollback()
    return values


def _broken(now):
    raise RuntimeError("boom 13812345678")


def test_a_successful_scheduled_run_records_its_finish_time_and_summary(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: "probed 3")
    before = utcnow()
    assert run_job_logged(app, "probe", LeaderLock(app, holder="me")) == "probed 3"
    row = _row("probe")
    assert before <= row.last_success_at <= utcnow()
    assert row.last_summary == "probed 3" and row.last_failure_at is None


def test_a_failed_run_records_the_failure_and_keeps_the_last_success(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: "ok")
    lock = LeaderLock(app, holder="me")
    run_job_logged(app, "probe", lock)
    succeeded = _row("probe").last_success_at
    monkeypatch.setitem(jobs.JOBS, "probe", _broken)
    assert run_job_logged(app, "probe", lock) is None
    row = _row("probe")
    assert row.last_success_at == succeeded and row.last_failure_at >= succeeded
    assert row.last_error == "RuntimeError"  # the class only, never the message


def test_a_standby_scheduler_records_nothing(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: "ok")
    assert LeaderLock(app, holder="leader").hold(utcnow())
    assert run_job_logged(app, "probe", LeaderLock(app, holder="standby")) is None
    assert _row("probe") is None


def test_jobs_run_from_the_cli_records_too(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: "probed")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "run", "probe"]).exit_code == 0
    assert _row("probe").last_success_at is not None
    monkeypatch.setitem(jobs.JOBS, "probe", _broken)
    assert runner.invoke(args=["jobs", "run", "probe"]).exit_code != 0
    assert _row("probe").last_error == "RuntimeError"


def test_a_recording_that_fails_does_not_fail_the_job(app, monkeypatch, caplog):
    def unreachable(*args):
        raise OperationalError("UPDATE job_runs", {}, Exception("gone"))

    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: "probed")
    monkeypatch.setattr(job_runs, "record_success", unreachable)
    with caplog.at_level(logging.WARNING, logger="parentapp.scheduler"):
        assert scheduler.run_and_record("probe", utcnow()) == "probed"
    assert "could not record the outcome of job probe" in caplog.text


def test_a_failing_job_raises_through_run_and_record(monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "probe", _broken)
    with pytest.raises(RuntimeError):
        scheduler.run_and_record("probe", utcnow())
    assert _row("probe").last_failure_at is not None
