import logging
import threading
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from parentapp import create_app, jobs, scheduler
from parentapp.extensions import db
from parentapp.scheduler import LEASE, LeaderLock, build_scheduler, run_job_logged
from parentapp.timeutil import LOCAL_TZ
from tests.notify_factories import NOW


def test_creating_the_app_starts_no_scheduler(app, monkeypatch):
    started = []
    monkeypatch.setattr(BaseScheduler, "start", lambda self, *a, **k: started.append(self))
    before = {t.name for t in threading.enumerate()}
    other = create_app({**app.config})
    assert started == []
    assert {t.name for t in threading.enumerate()} - before == set()
    with other.app_context():
        db.engine.dispose()


def test_every_job_is_scheduled_with_explicit_id_and_safe_options(app):
    built = build_scheduler(app, LeaderLock(app, holder="test"))
    assert built.timezone == LOCAL_TZ and not built.running
    found = {job.id: job for job in built.get_jobs()}
    assert set(found) == set(jobs.JOBS) | {"scheduler-lock-heartbeat"}
    assert {"plan-reminders", "dispatch-notifications"} <= set(found)
    for job in found.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == scheduler.MISFIRE_GRACE_SECONDS
        assert isinstance(job.trigger, IntervalTrigger)
    assert found["dispatch-notifications"].trigger.interval == timedelta(seconds=20)


def test_a_second_scheduler_stands_by_while_the_first_holds_the_lease(app, caplog):
    first, second = LeaderLock(app, holder="first"), LeaderLock(app, holder="second")
    assert first.hold(NOW) is True
    with caplog.at_level(logging.WARNING, logger="parentapp.scheduler"):
        assert second.hold(NOW + timedelta(seconds=5)) is False
    assert "another scheduler (first)" in caplog.text
    assert first.hold(NOW + timedelta(seconds=60)) is True  # renewed
    assert second.hold(NOW + timedelta(seconds=60) + LEASE - timedelta(seconds=1)) is False
    # The first one died: its lease runs out and the second takes over.
    assert second.hold(NOW + timedelta(seconds=61) + LEASE) is True
    assert first.hold(NOW + timedelta(seconds=62) + LEASE) is False


def test_a_released_lock_is_taken_over_at_once(app):
    first, second = LeaderLock(app, holder="first"), LeaderLock(app, holder="second")
    assert first.hold(NOW)
    first.release(NOW)
    assert second.hold(NOW)


def test_a_scheduled_run_runs_the_job_only_as_leader_and_logs_it(app, monkeypatch, caplog):
    seen = []
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: seen.append(now) or "probed")
    lock, other = LeaderLock(app, holder="me"), LeaderLock(app, holder="other")
    with caplog.at_level(logging.INFO, logger="parentapp.scheduler"):
        assert run_job_logged(app, "probe", lock) == "probed"
        assert run_job_logged(app, "probe", other) is None
    assert len(seen) == 1 and seen[0].tzinfo is not None
    assert "job probe done" in caplog.text


def test_a_failing_job_is_logged_and_does_not_stop_the_scheduler(app, monkeypatch, caplog):
    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "broken", broken)
    assert run_job_logged(app, "broken", LeaderLock(app, holder="me")) is None
    assert "job broken failed" in caplog.text


def test_the_scheduler_command_runs_the_scheduler(app, monkeypatch):
    called = []
    monkeypatch.setattr(scheduler, "run_scheduler", lambda flask_app: called.append(flask_app))
    result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 0 and called == [app]


def test_the_jobs_run_once_by_name(app):
    assert "children planned" in jobs.run_job("plan-reminders", NOW)
    assert jobs.run_job("dispatch-notifications", NOW) == "nothing due"
