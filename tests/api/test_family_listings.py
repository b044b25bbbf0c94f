"""A child's people see everything of the child in their listings, whoever of them acted,
with ``booked_by`` naming who did; a removed person sees nothing any more while what they
and the others booked stays. ``child_id`` narrows a listing to one child."""

from __future__ import annotations

import uuid

import pytest

from parentapp.extensions import db
from parentapp.models import ClassEnrollment, User, WaitlistEntry, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking.cancellation import cancel_booking
from tests.asserts import assert_error
from tests.booking_factories import fill, fresh, in_days, make_slot, setup_nursery
from tests.factories import bearer, make_child, make_class, make_user
from tests.family_factories import add_person, remove_person

LISTINGS = ("/api/v1/bookings", "/api/v1/me/waitlist", "/api/v1/me/enrollments")


def booking_request(client, headers, child_id, slot_ids, key=None):
    return client.post("/api/v1/bookings", json={"child_id": child_id, "slot_ids": slot_ids},
                       headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())})


@pytest.fixture
def family(client):
    """A mother (guardian, no relation given) and a grandmother (carer) of one child; the
    mother booked a place, joined a waitlist and took a class seat for it."""
    mother, grandma = (make_user("parent", nickname=n) for n in ("妈妈", "奶奶"))
    child = make_child(mother)
    add_person(child, grandma, "carer", "grandparent")
    headers = {"mother": bearer(mother), "grandma": bearer(grandma)}
    nursery, _ = setup_nursery()
    slots = [make_slot(nursery, day=in_days(n)) for n in (3, 4)]
    full = make_slot(nursery, day=in_days(5), capacity=1)
    fill(full)
    parenting_class = make_class()
    assert booking_request(client, headers["mother"], child.id, [slots[0].id]).status_code == 201
    assert client.post(f"/api/v1/slots/{full.id}/waitlist", headers=headers["mother"],
                       json={"child_id": child.id}).status_code == 201
    assert client.post(f"/api/v1/classes/{parenting_class.id}/enrollments",
                       headers=headers["mother"], json={"child_id": child.id}).status_code == 201
    return {"mother": mother, "grandma": grandma, "child": child, "headers": headers,
            "slots": slots, "class": parenting_class, "nursery": nursery}


def by(user: User, relation: str | None) -> dict:
    return {"user_id": user.id, "nickname": user.nickname, "relation": relation}


def items(client, path, headers, **query):
    response = client.get(path, headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_grandmother_sees_the_child_and_what_the_mother_booked(client, family):
    grandma = family["headers"]["grandma"]
    [child] = items(client, "/api/v1/children", grandma)
    assert (child["id"], child["my_role"]) == (family["child"].id, "carer")
    mother = by(family["mother"], None)
    for path in LISTINGS:
        [item] = items(client, path, grandma)
        assert item["child_id"] == family["child"].id, path
        assert item["booked_by"] == mother, path


def test_what_the_grandmother_books_names_her_for_everyone(client, family):
    grandma, mother = family["headers"]["grandma"], family["headers"]["mother"]
    made = booking_request(client, grandma, family["child"].id, [family["slots"][1].id])
    assert made.status_code == 201
    assert made.get_json()["booked_by"] == by(family["grandma"], "grandparent")
    listed = {b["id"]: b["booked_by"]["user_id"] for b in items(client, LISTINGS[0], mother)}
    assert listed == {made.get_json()["id"]: family["grandma"].id,
                      min(listed): family["mother"].id}
    # Cancelling does not change who booked: the mother's booking stays hers.
    first = min(listed)
    cancelled = client.post(f"/api/v1/bookings/{first}/cancel", headers=grandma)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["booked_by"] == by(family["mother"], None)
    assert client.get(f"/api/v1/bookings/{first}", headers=grandma).get_json()["booked_by"] \
        == by(family["mother"], None)


def test_a_removed_person_sees_nothing_and_the_bookings_stay(client, family):
    grandma = family["headers"]["grandma"]
    made = booking_request(client, grandma, family["child"].id, [family["slots"][1].id])
    own_id = made.get_json()["id"]
    remove_person(family["child"], family["grandma"])
    assert items(client, "/api/v1/children", grandma) == []
    for path in LISTINGS:
        assert items(client, path, grandma) == [], path
    assert_error(client.get(f"/api/v1/bookings/{own_id}", headers=grandma), 404, "not_found")
    assert_error(client.get(f"/api/v1/children/{family['child'].id}", headers=grandma),
                 404, "not_found")
    assert_error(client.get(LISTINGS[0], headers=grandma,
                            query_string={"child_id": family["child"].id}), 404, "not_found")
    # Everything stays for the mother; the booking the grandmother made still names her,
    # with no relation now that she is not one of the child's people.
    mother = family["headers"]["mother"]
    bookings = {b["id"]: b for b in items(client, LISTINGS[0], mother)}
    assert len(bookings) == 2 and {b["status"] for b in bookings.values()} == {"confirmed"}
    assert bookings[own_id]["booked_by"] == by(family["grandma"], None)
    for path in LISTINGS[1:]:
        assert len(items(client, path, mother)) == 1, path


def test_child_id_keeps_one_childs_entries(client, family):
    mother, grandma = family["headers"]["mother"], family["headers"]["grandma"]
    sister = make_child(family["mother"], name="小红")  # the grandmother is not hers
    assert booking_request(client, mother, sister.id, [family["slots"][1].id]).status_code == 201
    assert client.post(f"/api/v1/classes/{family['class'].id}/enrollments", headers=mother,
                       json={"child_id": sister.id}).status_code == 201
    for path in (LISTINGS[0], LISTINGS[2]):
        assert len(items(client, path, mother)) == 2, path
        assert {i["child_id"] for i in items(client, path, mother, child_id=sister.id)} \
            == {sister.id}, path
        assert len(items(client, path, grandma)) == 1, path
        assert_error(client.get(path, headers=grandma, query_string={"child_id": sister.id}),
                     404, "not_found")
    [entry] = items(client, LISTINGS[1], mother, child_id=family["child"].id)
    assert entry["child_id"] == family["child"].id
    assert items(client, LISTINGS[1], mother, child_id=sister.id) == []


def test_leaving_a_class_for_one_child_keeps_the_other_childs_seat(client, family):
    mother, grandma = family["headers"]["mother"], family["headers"]["grandma"]
    sister = make_child(family["mother"], name="小红")
    add_person(sister, family["grandma"], "carer", "grandparent")
    url = f"/api/v1/classes/{family['class'].id}/enrollments"
    assert client.post(url, headers=mother, json={"child_id": sister.id}).status_code == 201
    # Two of her children hold seats: she must say whose.
    assert_error(client.delete(f"{url}/mine", headers=grandma), 422, "validation_error")
    left = client.delete(f"{url}/mine", headers=grandma, query_string={"child_id": sister.id})
    assert left.status_code == 204
    statuses = dict(db.session.execute(db.select(ClassEnrollment.child_id,
                                                 ClassEnrollment.status)).all())
    assert statuses == {family["child"].id: "enrolled", sister.id: "left"}
    assert_error(client.delete(f"{url}/mine", headers=grandma,
                               query_string={"child_id": sister.id}), 404, "not_found")


def test_the_booking_replay_is_the_first_answer_byte_for_byte(client, family):
    grandma, key = family["headers"]["grandma"], str(uuid.uuid4())
    slot_ids = [family["slots"][1].id]
    first = booking_request(client, grandma, family["child"].id, slot_ids, key)
    assert first.status_code == 201
    family["grandma"].nickname = "外婆"  # what booked_by would say now
    db.session.commit()
    again = booking_request(client, grandma, family["child"].id, slot_ids, key)
    assert (again.status_code, again.get_data()) == (201, first.get_data())
    assert again.get_json()["booked_by"]["nickname"] == "奶奶"
    assert client.get(f"/api/v1/bookings/{first.get_json()['id']}", headers=grandma) \
        .get_json()["booked_by"]["nickname"] == "外婆"


def test_an_accepted_offer_names_who_accepted(client, family):
    nursery = family["nursery"]
    slot = make_slot(nursery, day=in_days(6), capacity=1)
    [taken] = fill(slot)
    grandma, child = family["headers"]["grandma"], family["child"]
    joined = client.post(f"/api/v1/slots/{slot.id}/waitlist", headers=grandma,
                         json={"child_id": child.id})
    assert joined.get_json()["booked_by"] == by(family["grandma"], "grandparent")
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    assert fresh(WaitlistEntry, joined.get_json()["id"]).status == "offered"
    accepted = client.post(f"/api/v1/waitlist/{joined.get_json()['id']}/accept",
                           headers=family["headers"]["mother"])
    assert accepted.status_code == 201
    assert accepted.get_json()["booked_by"] == by(family["mother"], None)
    # The entry still names who joined the queue.
    entries = {e["id"]: e for e in items(client, LISTINGS[1], family["headers"]["mother"])}
    assert entries[joined.get_json()["id"]]["status"] == "accepted"
    assert entries[joined.get_json()["id"]]["booked_by"] == by(family["grandma"], "grandparent")


def test_the_class_shows_the_grandmother_the_seat_the_mother_took(client, family):
    url = f"/api/v1/classes/{family['class'].id}"
    seen = client.get(url, headers=family["headers"]["grandma"]).get_json()["my_enrollment"]
    assert (seen["status"], seen["child_id"]) == ("enrolled", family["child"].id)
    remove_person(family["child"], family["grandma"])
    assert client.get(url, headers=family["headers"]["grandma"]).get_json()[
        "my_enrollment"] is None
