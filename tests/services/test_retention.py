"""Retention jobs: idempotency answers after 24 hours, messages after 365 days.

A fixed ``now``; rows a second inside the window stay, a second outside go; a second run
finds nothing; batches of any size delete the same rows."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from parentapp import jobs
from parentapp.extensions import db
from parentapp.models import IdempotencyKey, Notification
from parentapp.services.common import idempotency
from parentapp.services.reminders import retention
from parentapp.timeutil import local_instant
from tests.factories import make_user
from tests.notify_factories import make_notification

NOW = local_instant(date(2026, 12, 2), time(3, 30))
SECOND = timedelta(seconds=1)
DAY, YEAR = timedelta(hours=24), timedelta(days=365)


def _answer(user, key: str, created_at):
    db.session.add(IdempotencyKey(user_id=user.id, key=key, fingerprint="f" * 64,
                                  state="done", response_status=201, response_body={"id": 1},
                                  created_at=created_at, expires_at=created_at + DAY))
    db.session.commit()


def _keys() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(IdempotencyKey.key)))


def _titles() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(Notification.title)))


def _message(user, title: str, created_at, planned_at=None, **fields):
    make_notification(user, title=title, created_at=created_at,
                      planned_at=planned_at or created_at, send_after=planned_at or created_at,
                      **fields)


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_idempotency_answers_go_after_24_hours_and_a_second_run_is_harmless(batch_size):
    user = make_user("parent")
    _answer(user, "inside", NOW - DAY + SECOND)
    _answer(user, "outside", NOW - DAY - SECOND)
    _answer(user, "long-gone", NOW - 3 * DAY)
    _answer(user, "new", NOW)
    assert idempotency.purge_expired(NOW, batch_size=batch_size) == 2
    assert _keys() == ["inside", "new"]
    assert idempotency.purge_expired(NOW, batch_size=batch_size) == 0
    assert _keys() == ["inside", "new"]


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_messages_go_after_365_days_whatever_their_state(batch_size):
    user = make_user("parent")
    _message(user, "inside", NOW - YEAR + SECOND)
    _message(user, "outside-sent", NOW - YEAR - SECOND, delivery_state="sent", read_at=NOW)
    _message(user, "outside-pending", NOW - YEAR - 30 * DAY)
    _message(user, "outside-failed", NOW - 2 * YEAR, delivery_state="failed")
    # Written long ago for a day not yet a year past: kept until that day is old too.
    _message(user, "planned-later", NOW - YEAR - DAY, planned_at=NOW - YEAR + DAY)
    assert retention.purge_old_notifications(NOW, batch_size=batch_size) == 3
    assert _titles() == ["inside", "planned-later"]
    assert retention.purge_old_notifications(NOW, batch_size=batch_size) == 0
    assert _titles() == ["inside", "planned-later"]


def test_the_jobs_are_listed_and_report_their_counts(app):
    user = make_user("parent")
    _answer(user, "old", NOW - 2 * DAY)
    _message(user, "old", NOW - 2 * YEAR)
    runner = app.test_cli_runner()
    assert {"purge-idempotency-keys", "purge-notifications"} <= set(
        runner.invoke(args=["jobs", "list"]).output.split())
    assert jobs.run_job("purge-idempotency-keys", NOW) == "1 idempotency keys purged"
    assert jobs.run_job("purge-notifications", NOW) == "1 notifications purged"
    result = runner.invoke(args=["jobs", "run", "purge-notifications"])
    assert result.exit_code == 0 and "purge-notifications: 0 notifications purged" in result.output
    assert _keys() == [] and _titles() == []
