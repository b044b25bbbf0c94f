"""Caps of the contract's Limits table: 409 ``limit_reached`` naming the cap, each at its
value (allowed) and one past it (refused); small values through the configuration
where the default is large, the real default where that is cheap."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from parentapp.models import Child, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking.cancellation import cancel_booking
from parentapp.timeutil import add_months, local_today
from tests.asserts import assert_error
from tests.booking_factories import book as factory_book
from tests.booking_factories import fill, in_days, make_slot, make_slots, setup_nursery
from tests.concurrency import run_at_once
from tests.factories import make_child, make_class, make_enrollment, make_user


@pytest.fixture
def limits(app, monkeypatch):
    """``limits(name=value)`` overrides caps for this test, as PARENTAPP_LIMITS would."""
    def override(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config["LIMITS"], name, value)
    return override


def assert_cap(response, name: str, maximum: int) -> None:
    error = assert_error(response, 409, "limit_reached")
    assert error["details"]["limit"] == name and error["details"]["max"] == maximum


def child_body() -> dict:
    born = add_months(local_today(utcnow()), -12)
    return {"name": "小红", "birth_date": born.isoformat(), "gender": "female"}


def test_a_parent_adds_six_children_and_a_seventh_is_refused(client, auth, db):
    parent, headers = auth.parent()
    answers = [client.post("/api/v1/children", json=child_body(), headers=headers).status_code
               for _ in range(6)]
    assert answers == [201] * 6
    assert_cap(client.post("/api/v1/children", json=child_body(), headers=headers),
               "children_per_guardian", 6)
    assert db.session.scalar(db.select(db.func.count()).select_from(Child)) == 6
    # Another parent is not affected; deleting one makes room again.
    _, other = auth.parent()
    assert client.post("/api/v1/children", json=child_body(), headers=other).status_code == 201
    first = client.get("/api/v1/children", headers=headers).get_json()["items"][0]
    assert client.delete(f"/api/v1/children/{first['id']}", headers=headers).status_code == 204
    assert client.post("/api/v1/children", json=child_body(), headers=headers).status_code == 201


def test_two_children_added_at_once_cannot_both_pass_the_cap(app, client, auth, limits):
    limits(children_per_guardian=2)
    parent, headers = auth.parent()
    make_child(parent)
    answers = run_at_once(app, [
        lambda c: c.post("/api/v1/children", json=child_body(), headers=headers).status_code
        for _ in range(4)])
    assert sorted(answers) == [201, 409, 409, 409]


def book(client, headers, child_id, slot_ids):
    return client.post("/api/v1/bookings", json={"child_id": child_id, "slot_ids": slot_ids},
                       headers={**headers, "Idempotency-Key": str(uuid.uuid4())})


def test_future_slots_per_child_count_the_new_bookings_slots(client, auth, limits):
    limits(future_slots_per_child=3)
    nursery, _ = setup_nursery()
    slots = make_slots(nursery, days=5)
    parent, headers = auth.parent()
    child = make_child(parent)
    assert book(client, headers, child.id, [slots[0].id, slots[1].id]).status_code == 201
    assert_cap(book(client, headers, child.id, [slots[2].id, slots[3].id]),
               "future_slots_per_child", 3)
    third = book(client, headers, child.id, [slots[2].id])
    assert third.status_code == 201  # exactly at the cap
    assert_cap(book(client, headers, child.id, [slots[3].id]), "future_slots_per_child", 3)
    # A brother has his own count; a cancelled slot no longer counts.
    assert book(client, headers, make_child(parent).id, [slots[3].id]).status_code == 201
    cancel_booking(parent.id, third.get_json()["id"], None, utcnow(),
                   offer_minutes=offer_minutes())
    assert book(client, headers, child.id, [slots[4].id]).status_code == 201


def test_slots_that_have_started_do_not_count(client, auth, limits):
    limits(future_slots_per_child=1)
    nursery, _ = setup_nursery()
    parent, headers = auth.parent()
    child = make_child(parent)
    yesterday = make_slot(nursery, day=in_days(-1))
    factory_book(parent, [yesterday], child=child, now=utcnow() - timedelta(days=3))
    assert book(client, headers, child.id, [make_slot(nursery).id]).status_code == 201


def test_accepting_a_waitlist_offer_counts_towards_future_slots(client, auth, limits):
    limits(future_slots_per_child=1)
    nursery, _ = setup_nursery()
    full = make_slot(nursery, day=in_days(4), capacity=1)
    [taken] = fill(full)
    parent, headers = auth.parent()
    child = make_child(parent)
    waiting = client.post(f"/api/v1/slots/{full.id}/waitlist", headers=headers,
                          json={"child_id": child.id}).get_json()
    assert book(client, headers, child.id, [make_slot(nursery).id]).status_code == 201
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    accepted = client.post(f"/api/v1/waitlist/{waiting['id']}/accept", headers=headers)
    assert_cap(accepted, "future_slots_per_child", 1)


def join(client, headers, slot_id, child_id):
    return client.post(f"/api/v1/slots/{slot_id}/waitlist", headers=headers,
                       json={"child_id": child_id})


def test_a_child_waits_for_ten_slots_and_an_eleventh_is_refused(client, auth):
    nursery, _ = setup_nursery()
    full = []
    for n in range(11):
        slot = make_slot(nursery, day=in_days(3 + n), capacity=1)
        fill(slot)
        full.append(slot)
    parent, headers = auth.parent()
    child = make_child(parent)
    entries = [join(client, headers, s.id, child.id) for s in full[:10]]
    assert [e.status_code for e in entries] == [201] * 10
    assert_cap(join(client, headers, full[10].id, child.id), "waitlist_per_child", 10)
    assert join(client, headers, full[10].id, make_child(parent).id).status_code == 201
    # Leaving one makes room.
    left = client.delete(f"/api/v1/waitlist/{entries[0].get_json()['id']}", headers=headers)
    assert left.status_code == 204
    assert join(client, headers, full[10].id, child.id).status_code == 201


def enroll(client, cls, headers):
    return client.post(f"/api/v1/classes/{cls.id}/enrollments", headers=headers, json={})


def test_class_places_count_seats_and_waitlist_places(client, auth, limits):
    limits(class_places_per_family=3)
    parent, headers = auth.parent()
    full = make_class(capacity=1)
    make_enrollment(full)
    assert [enroll(client, make_class(), headers).status_code for _ in range(2)] == [201] * 2
    waiting = enroll(client, full, headers)
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waitlisted"
    assert_cap(enroll(client, make_class(), headers), "class_places_per_family", 3)
    left = client.delete(f"/api/v1/classes/{full.id}/enrollments/mine", headers=headers)
    assert left.status_code == 204
    assert enroll(client, make_class(), headers).status_code == 201


def test_a_family_holds_twenty_class_places_and_a_twenty_first_is_refused(client, auth):
    parent, headers = auth.parent()
    organizer = make_user("regulator")
    classes = [make_class(organizer) for _ in range(21)]
    assert [enroll(client, c, headers).status_code for c in classes[:20]] == [201] * 20
    assert_cap(enroll(client, classes[20], headers), "class_places_per_family", 20)


def test_a_cap_of_zero_is_switched_off(client, auth, limits):
    limits(children_per_guardian=0)
    _, headers = auth.parent()
    answers = [client.post("/api/v1/children", json=child_body(), headers=headers).status_code
               for _ in range(8)]
    assert answers == [201] * 8


def test_waitlist_joins_at_once_cannot_both_pass_the_cap(app, auth, limits):
    limits(waitlist_per_child=1)
    nursery, _ = setup_nursery()
    slots = [make_slot(nursery, day=in_days(3 + n), capacity=1) for n in range(3)]
    for slot in slots:
        fill(slot)
    parent, headers = auth.parent()
    child_id = make_child(parent).id
    answers = run_at_once(app, [
        lambda c, url=f"/api/v1/slots/{s.id}/waitlist": c.post(
            url, headers=headers, json={"child_id": child_id}).status_code for s in slots])
    assert sorted(answers) == [201, 409, 409]


def test_class_enrolments_at_once_cannot_both_pass_the_cap(app, auth, limits):
    limits(class_places_per_family=1)
    classes = [make_class() for _ in range(3)]
    _, headers = auth.parent()
    answers = run_at_once(app, [
        lambda c, url=f"/api/v1/classes/{cls.id}/enrollments": c.post(
            url, headers=headers, json={}).status_code for cls in classes])
    assert sorted(answers) == [201, 409, 409]
