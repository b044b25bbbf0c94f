"""Two guardians saving the pickup list at once leave one list or the other, never both
mixed: real threads against the real database (file SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import PickupPerson
from tests.concurrency import run_at_once, until_not_busy
from tests.factories import bearer, make_child, make_user
from tests.family_factories import add_person
from tests.pickup_factories import AUNT, GRANDPA, GRANNY, set_pickup

pytestmark = pytest.mark.slow

REPEATS = 10
MOTHERS = [GRANNY, GRANDPA]
FATHERS = [AUNT, {**AUNT, "name": "李叔叔", "phone": "15000000004"}]


def saving(headers, child_id, people):
    def job(client):
        return until_not_busy(lambda: client.put(
            f"/api/v1/children/{child_id}/pickup", headers=headers,
            json={"people": people})).status_code
    return job


def test_two_guardians_saving_at_once_leave_one_whole_list(app):
    for _ in range(REPEATS):
        mother = make_user("parent")
        child = make_child(mother)
        father = make_user("parent")
        add_person(child, father, "guardian", relation="father")
        set_pickup(child, GRANNY, AUNT, GRANDPA)
        statuses = run_at_once(app, [saving(bearer(mother), child.id, MOTHERS),
                                     saving(bearer(father), child.id, FATHERS)])
        assert statuses == [200, 200]
        db.session.expire_all()
        names = db.session.scalars(select(PickupPerson.name).where(
            PickupPerson.child_id == child.id).order_by(PickupPerson.position)).all()
        assert names in ([p["name"] for p in MOTHERS], [p["name"] for p in FATHERS]), names
        db.session.commit()
