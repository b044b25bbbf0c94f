"""Deleting an account or a child when the child has several people (contract, "Family and
carers"): only the last guardian's departure takes the child, and the others are told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import (
    Booking,
    Child,
    ChildInvite,
    ClassEnrollment,
    Notification,
    utcnow,
)
from tests.asserts import assert_error
from tests.booking_factories import make_slot, setup_nursery
from tests.factories import bearer, make_child, make_class, make_user
from tests.family_factories import add_person


def _family(auth):
    """A mother (guardian) with a child, and a grandmother (carer) who booked for it."""
    mother, mother_headers = auth.parent()
    child = make_child(mother)
    grandma = make_user("parent")
    add_person(child, grandma, "carer")
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    return mother, mother_headers, child, grandma, bearer(grandma), slot


def _book(client, headers, child, slot, key):
    response = client.post("/api/v1/bookings", headers={**headers, "Idempotency-Key": key},
                           json={"child_id": child.id, "slot_ids": [slot.id]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _kinds(user):
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(select(Notification).where(
        Notification.user_id == user.id))]


def test_a_carer_deleting_their_account_leaves_the_child_and_what_they_booked(client, auth):
    mother, mother_headers, child, grandma, grandma_headers, slot = _family(auth)
    booking_id = _book(client, grandma_headers, child, slot, "by-grandma")
    assert client.delete("/api/v1/me", headers=grandma_headers).status_code == 204
    db.session.expire_all()
    assert db.session.get(Child, child.id) is not None
    assert [p.user_id for p in db.session.get(Child, child.id).people] == [mother.id]
    booking = db.session.get(Booking, booking_id)
    assert (booking.status, booking.child_id, booking.parent_id) == (
        "confirmed", child.id, grandma.id)
    listed = client.get("/api/v1/bookings", headers=mother_headers).get_json()["items"]
    assert [b["id"] for b in listed] == [booking_id]


def test_a_second_guardian_leaving_keeps_the_child_for_the_first(client, auth):
    mother, mother_headers, child, _, _, _ = _family(auth)
    father = make_user("parent")
    add_person(child, father, "guardian", "father")
    assert client.delete("/api/v1/me", headers=bearer(father)).status_code == 204
    children = client.get("/api/v1/children", headers=mother_headers).get_json()["items"]
    assert [(c["id"], c["my_role"]) for c in children] == [(child.id, "guardian")]


def test_the_last_guardian_deleting_their_account_deletes_the_child_for_everyone(client, auth):
    mother, mother_headers, child, grandma, grandma_headers, slot = _family(auth)
    booking_id = _book(client, grandma_headers, child, slot, "by-grandma")
    cls = make_class()
    seat = client.post(f"/api/v1/classes/{cls.id}/enrollments", headers=grandma_headers,
                       json={"child_id": child.id})
    assert seat.status_code == 201
    db.session.add(ChildInvite(child_id=child.id, code="ABCDEFGH", role="viewer",
                               relation="relative", created_by=mother.id,
                               expires_at=utcnow() + timedelta(hours=48)))
    db.session.commit()

    assert client.delete("/api/v1/me", headers=mother_headers).status_code == 204
    db.session.expire_all()
    assert db.session.get(Child, child.id) is None
    assert client.get("/api/v1/children", headers=grandma_headers).get_json()["items"] == []
    assert db.session.get(Booking, booking_id).status == "cancelled"  # the place is back
    assert db.session.get(ClassEnrollment, seat.get_json()["id"]).status == "left"
    assert db.session.scalars(select(ChildInvite)).all() == []
    assert "child_deleted" in _kinds(grandma)


def test_a_guardian_deleting_the_child_tells_the_others_and_a_carer_may_not(client, auth):
    mother, mother_headers, child, grandma, grandma_headers, _ = _family(auth)
    refused = client.delete(f"/api/v1/children/{child.id}", headers=grandma_headers)
    assert_error(refused, 403, "forbidden")
    assert db.session.get(Child, child.id) is not None
    assert client.delete(f"/api/v1/children/{child.id}",
                         headers=mother_headers).status_code == 204
    assert "child_deleted" in _kinds(grandma)
    assert "child_deleted" not in _kinds(mother)  # who deleted it needs no telling


def test_two_people_enrolling_the_same_child_hold_one_seat(client, auth):
    _, mother_headers, child, _, grandma_headers, _ = _family(auth)
    cls = make_class()
    url = f"/api/v1/classes/{cls.id}/enrollments"
    assert client.post(url, headers=mother_headers, json={"child_id": child.id}
                       ).status_code == 201
    again = client.post(url, headers=grandma_headers, json={"child_id": child.id})
    assert_error(again, 409, "already_enrolled")
    assert db.session.scalar(select(db.func.count()).select_from(ClassEnrollment)) == 1


def test_a_guardian_leaving_by_account_deletion_withdraws_the_invites_they_made(client, auth):
    mother, _, child, _, _, _ = _family(auth)
    father = make_user("parent")
    add_person(child, father, "guardian", "father")
    made = client.post(f"/api/v1/children/{child.id}/invites", headers=bearer(father),
                       json={"role": "guardian", "relation": "relative"})
    assert made.status_code == 201
    assert client.delete("/api/v1/me", headers=bearer(father)).status_code == 204
    _, stranger_headers = auth.parent()
    used = client.post("/api/v1/invites/accept", headers=stranger_headers,
                       json={"code": made.get_json()["code"]})
    assert_error(used, 404, "invite_not_found")
    db.session.expire_all()
    people = [p.user_id for p in db.session.get(Child, child.id).people]
    assert mother.id in people and father.id not in people
