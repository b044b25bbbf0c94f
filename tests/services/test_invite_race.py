"""Two people accepting the last free place on one child at once: exactly one joins.

Real threads, each with its own app context (test client), against the real database
(file SQLite or PostgreSQL): the people and guardians of a child are counted under the
child's row lock, so the second accept sees the first one's person.
"""

from __future__ import annotations

from collections import Counter

import pytest

from parentapp.extensions import db
from parentapp.models import ChildPerson
from tests.concurrency import run_at_once
from tests.factories import bearer, make_user
from tests.family_factories import family, make_invite
from tests.services.test_booking_concurrency import retrying

pytestmark = pytest.mark.slow

ACCEPT = "/api/v1/invites/accept"
REPEATS = 5


def accept_job(headers, code):
    def job(client):
        return retrying(lambda: client.post(ACCEPT, headers=headers, json={"code": code}))
    return job


def outcomes(results) -> Counter:
    return Counter(status if status < 300 else (body["error"]["code"],
                                                body["error"]["details"].get("limit"))
                   for status, body, _ in results)


def people_of(child_id: int, role: str | None = None) -> int:
    db.session.expire_all()
    stmt = db.select(db.func.count()).select_from(ChildPerson).where(
        ChildPerson.child_id == child_id)
    if role:
        stmt = stmt.where(ChildPerson.role == role)
    return db.session.scalar(stmt)


def race(app, child, role: str):
    codes = [make_invite(child, role=role).code for _ in range(2)]
    newcomers = [bearer(make_user("parent")) for _ in range(2)]
    return outcomes(run_at_once(app, [accept_job(headers, code)
                                      for headers, code in zip(newcomers, codes, strict=True)]))


def test_two_people_accepting_the_last_place_at_once_one_joins(app, db):
    for repeat in range(REPEATS):
        child, _ = family(roles=("carer",) * 4)  # 5 people: one place left
        assert race(app, child, "viewer") == {200: 1, ("limit_reached", "people_per_child"): 1}, (
            repeat)
        assert people_of(child.id) == 6


def test_two_people_accepting_the_last_guardian_place_at_once_one_joins(app, db):
    for repeat in range(REPEATS):
        child, _ = family(roles=("carer",))  # one guardian: one guardian place left
        assert race(app, child, "guardian") == {
            200: 1, ("limit_reached", "guardians_per_child"): 1}, repeat
        assert people_of(child.id, "guardian") == 2 and people_of(child.id) == 3


def test_two_people_accepting_one_code_at_once_one_joins(app, db):
    for repeat in range(REPEATS):
        child, _ = family(roles=())
        code = make_invite(child).code
        jobs = [accept_job(bearer(make_user("parent")), code) for _ in range(2)]
        assert outcomes(run_at_once(app, jobs)) == {200: 1, ("invite_not_found", None): 1}, (
            repeat)
        assert people_of(child.id) == 2
