"""Two of a child's people recording five-in-one doses at once (grandmother the first,
mother the second, each on their own phone) count as two successive doses, never the
same dose twice: real threads against the real database (file SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import HealthRecord
from tests.concurrency import run_at_once, until_not_busy
from tests.factories import bearer, make_child, make_user
from tests.family_factories import add_person

pytestmark = pytest.mark.slow

REPEATS = 8


def recording(headers, child_id, body):
    def job(client):
        return until_not_busy(lambda: client.post(
            f"/api/v1/children/{child_id}/health-records", headers=headers,
            json=body)).status_code
    return job


def test_two_product_doses_recorded_at_once_fill_two_successive_doses(app):
    for _ in range(REPEATS):
        mother = make_user("parent")
        child = make_child(mother, birth_date=date(2025, 1, 31))
        granny = make_user("parent")
        add_person(child, granny, "carer", relation="grandparent")
        statuses = run_at_once(app, [
            recording(bearer(granny), child.id,
                      {"product": "DTaP-IPV-Hib", "done_on": "2025-03-31"}),
            recording(bearer(mother), child.id,
                      {"product": "DTaP-IPV-Hib", "done_on": "2025-04-30"}),
        ])
        assert statuses == [201, 201]
        db.session.expire_all()
        codes = db.session.scalars(select(HealthRecord.code).where(
            HealthRecord.child_id == child.id).order_by(HealthRecord.code)).all()
        assert codes == ["DTaP-1", "DTaP-2", "IPV-1", "IPV-2"]
        db.session.commit()
