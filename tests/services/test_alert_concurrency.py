"""Two morning checks at once that complete one illness cluster open exactly one alert.

Real threads against the real database (file SQLite or PostgreSQL). Each of the two
may complete the cluster on its own (2 children already sent home: both find it and
the unique cause key keeps one), or only together (1 already: without the per-nursery
detection lock each would see 2 and neither would open it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import Alert, Notification, utcnow
from parentapp.services.alerts.checks import record_health_check
from tests.alert_factories import booked_child
from tests.booking_factories import setup_nursery, today
from tests.concurrency import run_at_once, until_not_busy
from tests.factories import bearer, make_user

pytestmark = pytest.mark.slow

REPEATS = 5
FEVER = {"temperature_c": 38.5, "symptoms": ["fever"], "result": "sent_home"}


def checking(headers, booking_id):
    def job(client):
        response = until_not_busy(lambda: client.post(
            f"/api/v1/operator/bookings/{booking_id}/health-check", headers=headers,
            json=FEVER))
        return response.status_code
    return job


@pytest.mark.parametrize("already", [2, 1])
def test_two_checks_completing_a_cluster_at_once_open_one_alert(app, already):
    make_user("regulator")
    for _ in range(REPEATS):
        operator = make_user("operator")
        nursery, _ = setup_nursery("full_day", operator)
        bookings = [booked_child(nursery, today()) for _ in range(already + 2)]
        for booking in bookings[:already]:
            record_health_check(operator.id, booking.id, now=utcnow(), **FEVER)
        headers = bearer(operator)
        results = run_at_once(app, [checking(headers, b.id) for b in bookings[already:]])
        assert results == [201, 201]
        db.session.expire_all()
        keys = db.session.scalars(select(Alert.cause_key).where(
            Alert.nursery_id == nursery.id)).all()
        assert keys == [f"illness_cluster:{nursery.id}:{today().isoformat()}:fever:day"]
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "alert", Notification.user_id == operator.id)) == 1
        db.session.commit()
