"""Monthly places under real threads (file SQLite or PostgreSQL): two schedulers allocating
at once, first-come bookings racing a round's opening, and two offers passing on to the
same family at once. No place is sold twice, no family is offered two places, no message
goes twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parentapp.errors import Busy
from parentapp.extensions import db
from parentapp.models import Application, Notification, PlaceRound, Slot
from parentapp.services.places import allocation, offers
from tests.concurrency import run_at_once
from tests.factories import bearer, make_user
from tests.place_factories import (
    applicant,
    apply_for,
    closes,
    open_round,
    round_nursery,
    target_month,
)

pytestmark = pytest.mark.slow

TOWNS = ("500240001", "500240002", "500240003")


def in_app(app, work):
    """A job for ``run_at_once`` running ``work()`` in an app context, retrying busy waits."""
    def job(_client):
        with app.app_context():
            for _ in range(50):
                try:
                    return work()
                except Busy:
                    db.session.rollback()
            raise AssertionError("still busy after 50 tries")
    return job


def test_two_schedulers_allocating_at_once_allocate_once(app):
    nurseries = [round_nursery(township=t) for t in TOWNS[:2]]
    for nursery in nurseries:
        open_round(nursery, 2)
    apps = [apply_for(*applicant(TOWNS[n % 3]), [nurseries[n % 2], nurseries[(n + 1) % 2]]).id
            for n in range(7)]
    now = closes(target_month()) + timedelta(minutes=1)
    month = target_month()
    results = run_at_once(app, [in_app(app, lambda: allocation.allocate_month(
        month, now, offer_minutes=120)) for _ in range(2)])
    assert sorted(r["rounds"] for r in results) == [0, 2], results
    db.session.expire_all()
    statuses = [db.session.get(Application, a).status for a in apps]
    assert statuses.count("offered") == 4 and statuses.count("unplaced") == 3
    told = db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
        Notification.kind.in_(("place_offered", "application_unplaced"))))
    assert told == 7


def test_first_come_bookings_racing_a_round_never_oversell(app):
    for _ in range(3):
        operator = make_user("operator")
        nursery = round_nursery(operator, capacity=3)
        slot = db.session.scalars(db.select(Slot).where(Slot.nursery_id == nursery.id)
                                  .order_by(Slot.date)).first()
        month = target_month()

        url = f"/api/v1/operator/nurseries/{nursery.id}/rounds"
        operator_headers, slot_id = bearer(operator), slot.id

        def opening(client, url=url, headers=operator_headers, month=month):
            return client.post(url, headers=headers, json={
                                   "month": month, "care_type": "full_day", "places": 2,
                                   "closes_at": closes(month).isoformat()}).status_code

        def booking(headers, child_id, slot_id):
            def job(client):
                for _ in range(50):
                    response = client.post("/api/v1/bookings", headers={
                        **headers, "Idempotency-Key": f"k-{child_id}"},
                        json={"child_id": child_id, "slot_ids": [slot_id]})
                    if response.status_code != 503:
                        return response.status_code
                raise AssertionError("busy")
            return job

        parents = [applicant() for _ in range(3)]
        jobs = [opening] + [booking(bearer(p), c.id, slot_id) for p, c in parents]
        results = run_at_once(app, jobs)
        db.session.expire_all()
        fresh = db.session.get(Slot, slot_id)
        assert fresh.booked + fresh.held + fresh.round_held <= fresh.capacity
        booked = results[1:].count(201)
        assert fresh.booked == booked
        if results[0] == 201:
            assert fresh.round_held == 2 and booked <= 1
        else:
            assert results[0] == 409 and fresh.round_held == 0 and booked >= 2
        db.session.commit()


def test_two_offers_passing_on_to_one_family_at_once_make_one_offer(app):
    first, second = round_nursery(township=TOWNS[0]), round_nursery(township=TOWNS[1])
    first_round, second_round = open_round(first, 1), open_round(second, 1)
    parent_a, child_a = applicant(TOWNS[0])
    parent_b, child_b = applicant(TOWNS[1])
    a = apply_for(parent_a, child_a, [first])
    b = apply_for(parent_b, child_b, [second])
    c = apply_for(*applicant(TOWNS[2]), [first, second])
    round_ids = (first_round.id, second_round.id)
    now = closes(target_month()) + timedelta(minutes=1)
    allocation.allocate_month(target_month(), now, offer_minutes=120)
    later = now + timedelta(minutes=5)
    # Plain ids: the threads must not touch this thread's session (its objects expired).
    declines = [(parent_a.id, a.id), (parent_b.id, b.id)]
    run_at_once(app, [in_app(app, lambda p=p, i=i: offers.decline_offer(
        p, i, later, offer_minutes=120)) for p, i in declines])
    db.session.expire_all()
    offered = db.session.get(Application, c.id)
    assert offered.status == "offered"
    held = {r: db.session.get(PlaceRound, r).held for r in round_ids}
    assert held[offered.round_id] == 1
    other = (set(held) - {offered.round_id}).pop()
    assert held[other] == 0 and db.session.get(PlaceRound, other).status == "ended"
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
        Notification.kind == "place_offered", Notification.subject_id == c.id)) == 1
