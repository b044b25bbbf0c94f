"""Two nurseries hiring the same phone at once: exactly one gets the person (201), the
other 409 staff_already_employed. Real threads against the real database (file SQLite
or PostgreSQL); on PostgreSQL the second insert waits on the active-phone index."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import StaffMember
from tests.concurrency import run_at_once
from tests.factories import bearer, make_nursery, make_user
from tests.staff_factories import next_phone

pytestmark = pytest.mark.slow

REPEATS = 10


def hiring(headers, nursery_id, phone):
    def job(client):
        for _ in range(50):  # a bounded lock wait answers 503 busy: try again
            response = client.post(f"/api/v1/operator/nurseries/{nursery_id}/staff",
                                   headers=headers,
                                   json={"name": "王老师", "phone": phone, "role": "carer"})
            if response.status_code != 503:
                return response.status_code, response.get_json()
        raise AssertionError("still busy after 50 tries")
    return job


def test_two_nurseries_hiring_one_phone_at_once_get_one_person(app):
    for _ in range(REPEATS):
        phone = next_phone()
        jobs = []
        for _ in range(2):
            operator = make_user("operator")
            jobs.append(hiring(bearer(operator), make_nursery(operator).id, phone))
        results = run_at_once(app, jobs)
        assert sorted(status for status, _ in results) == [201, 409], results
        [refused] = [body for status, body in results if status == 409]
        assert refused["error"]["code"] == "staff_already_employed"
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(StaffMember).where(
            StaffMember.phone == phone)) == 1
        db.session.commit()
