"""Seats and waitlists under real concurrency: threads, separate app contexts, real database."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from parentapp.models import ClassEnrollment, Notification
from tests.concurrency import run_at_once
from tests.factories import bearer, make_class, make_user

pytestmark = pytest.mark.slow




def enroll_job(class_id, headers):
    def job(client):
        response = client.post(f"/api/v1/classes/{class_id}/enrollments", headers=headers,
                               json={})
        return response.status_code, response.get_json()
    return job


def leave_job(class_id, headers):
    def job(client):
        return client.delete(f"/api/v1/classes/{class_id}/enrollments/mine",
                             headers=headers).status_code
    return job


def families(count):
    users = [make_user("parent") for _ in range(count)]
    return [(user.id, bearer(user)) for user in users]


def entries(db, class_id):
    db.session.expire_all()
    return list(db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.class_id == class_id).order_by(ClassEnrollment.id)))


def promotions_told(db, class_id) -> Counter:
    rows = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "class_promoted", Notification.subject_id == class_id))
    return Counter(rows)


def assert_queue_is_consistent(db, class_id, capacity):
    """Seats go to the earliest entries, the waitlist is the rest in order, and every
    promotion was told exactly once."""
    rows = entries(db, class_id)
    enrolled = [row.id for row in rows if row.status == "enrolled"]
    waiting = [row.id for row in rows if row.status == "waitlisted"]
    assert len(enrolled) == min(capacity, len(enrolled) + len(waiting))
    if waiting:
        assert max(enrolled) < min(waiting), "a waiting family was skipped"
    active_families = [row.family_id for row in rows if row.status in ("enrolled", "waitlisted")]
    assert len(active_families) == len(set(active_families))
    expected = Counter(row.family_id for row in rows if row.promoted_at is not None)
    assert promotions_told(db, class_id) == expected
    return enrolled, waiting


def test_thirty_families_at_once_in_a_class_of_ten(app, db):
    class_id = make_class(capacity=10).id
    crowd = families(30)
    db.session.remove()  # hold no transaction (SQLite: no write lock) while threads run

    results = run_at_once(app, [enroll_job(class_id, headers) for _, headers in crowd])

    assert [status for status, _ in results] == [201] * 30
    answers = {body["id"]: body for _, body in results}
    enrolled, waiting = assert_queue_is_consistent(db, class_id, 10)
    assert len(enrolled) == 10 and len(waiting) == 20
    # Positions follow the order in which the transactions committed (the row ids).
    assert [answers[entry_id]["position"] for entry_id in waiting] == list(range(1, 21))
    assert all(answers[entry_id]["position"] is None for entry_id in enrolled)


def test_leaving_and_joining_at_once_never_skips_or_repeats_a_family(app, db, client):
    class_id = make_class(capacity=5).id
    seated, queued, newcomers = families(5), families(10), families(8)
    for _, headers in seated + queued:
        assert enroll_job(class_id, headers)(client)[0] == 201
    db.session.remove()

    jobs = [leave_job(class_id, headers) for _, headers in seated]
    jobs += [leave_job(class_id, queued[i][1]) for i in (2, 6)]
    jobs += [enroll_job(class_id, headers) for _, headers in newcomers]
    results = run_at_once(app, jobs)

    assert results[:7] == [204] * 7
    assert [status for status, _ in results[7:]] == [201] * 8
    enrolled, waiting = assert_queue_is_consistent(db, class_id, 5)
    assert len(enrolled) == 5 and len(waiting) == 16 - 5
    stayed = [family for i, (family, _) in enumerate(queued) if i not in (2, 6)]
    by_id = {row.id: row.family_id for row in entries(db, class_id)}
    # The five seats went to the five earliest families still queued, in order.
    assert [by_id[i] for i in enrolled] == stayed[:5]


def test_churn_keeps_the_queue_in_order(app, db, client):
    class_id = make_class(capacity=3).id
    crowd = families(12)
    db.session.remove()

    def churn(headers):
        def job(c):
            first = enroll_job(class_id, headers)(c)[0]
            left = leave_job(class_id, headers)(c)
            again = enroll_job(class_id, headers)(c)[0]
            return first, left, again
        return job

    results = run_at_once(app, [churn(headers) for _, headers in crowd])

    assert results == [(201, 204, 201)] * 12
    enrolled, waiting = assert_queue_is_consistent(db, class_id, 3)
    assert len(enrolled) == 3 and len(waiting) == 9
    positions = client.get(f"/api/v1/classes/{class_id}").get_json()
    assert (positions["enrolled"], positions["waitlist_length"]) == (3, 9)
