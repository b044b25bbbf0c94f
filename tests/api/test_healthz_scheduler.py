"""/healthz reports the scheduler's last runs and stays 200 while the database is fine."""

from __future__ import annotations

from datetime import timedelta

from parentapp import jobs
from parentapp.models import utcnow
from parentapp.services.common import job_runs
from parentapp.timeutil import to_local_iso


def _scheduler(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.get_json()["scheduler"]


def test_before_any_run_every_job_is_null_and_the_scheduler_late(client):
    status = _scheduler(client)
    assert status["last_success_at"] is None and status["late"] is True
    assert set(status["jobs"]) == set(jobs.JOBS)
    assert status["jobs"]["dispatch-notifications"] == {
        "last_success_at": None, "last_failure_at": None, "failing": False}


def test_after_a_recorded_run_the_time_is_shown_in_shanghai_time(client):
    finished = utcnow() - timedelta(minutes=1)
    job_runs.record_success("dispatch-notifications", finished, "sent 2")
    job_runs.record_success("plan-reminders", finished - timedelta(minutes=3), "planned")
    status = _scheduler(client)
    assert status["last_success_at"] == to_local_iso(finished)
    assert status["last_success_at"].endswith("+08:00") and status["late"] is False
    assert status["jobs"]["plan-reminders"]["last_success_at"] == to_local_iso(
        finished - timedelta(minutes=3))
    assert status["jobs"]["expire-waitlist-offers"]["last_success_at"] is None


def test_a_job_whose_latest_run_failed_is_failing_and_healthz_stays_200(client):
    now = utcnow()
    job_runs.record_success("plan-reminders", now - timedelta(minutes=2), "planned")
    job_runs.record_failure("plan-reminders", now - timedelta(minutes=1), RuntimeError())
    job = _scheduler(client)["jobs"]["plan-reminders"]
    assert job["failing"] is True and job["last_failure_at"] == to_local_iso(
        now - timedelta(minutes=1))
    job_runs.record_success("plan-reminders", now, "planned")
    assert _scheduler(client)["jobs"]["plan-reminders"]["failing"] is False


def test_no_success_for_longer_than_the_limit_is_late_not_a_503(client):
    stale = utcnow() - job_runs.LATE_AFTER - timedelta(seconds=5)
    job_runs.record_success("dispatch-notifications", stale, "sent 0")
    status = _scheduler(client)
    assert status["late"] is True and status["last_success_at"] == to_local_iso(stale)


def test_the_openapi_document_describes_the_scheduler_field(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    health = spec["components"]["schemas"]["Health"]["properties"]
    assert {"last_success_at", "late", "jobs"} <= set(
        spec["components"]["schemas"]["SchedulerHealth"]["properties"])
    assert "scheduler" in health
