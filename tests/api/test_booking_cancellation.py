"""Families cancel whole bookings or some slots, each before its cut-off; deleting a
child or the account cancels what lies ahead."""

from __future__ import annotations

import uuid
from datetime import timedelta

from parentapp.models import Booking, BookingSlot, Slot
from parentapp.service_settings import offer_minutes
from parentapp.services.booking.cancellation import cancel_child_future
from tests.booking_factories import book, fresh, in_days, make_slot, make_slots, setup_nursery
from tests.factories import make_child

URL = "/api/v1/bookings"


def booked(client, headers, child_id, slots):
    response = client.post(URL, headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                           json={"child_id": child_id, "slot_ids": [s.id for s in slots]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def cancel(client, headers, booking_id, slot_ids=None):
    body = {} if slot_ids is None else {"slot_ids": slot_ids}
    return client.post(f"{URL}/{booking_id}/cancel", headers=headers, json=body)


def test_cancelling_a_whole_booking_returns_every_place(client, auth):
    nursery, _ = setup_nursery(price_fen=10000)
    slots = make_slots(nursery, days=3)
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, slots)
    response = client.post(f"{URL}/{booking['id']}/cancel", headers=headers)  # no body at all
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["price_fen"] == 0
    assert {s["status"] for s in body["slots"]} == {"cancelled"}
    assert body["cancellable_until"] is None
    assert [fresh(Slot, s.id).booked for s in slots] == [0, 0, 0]


def test_cancelling_some_slots_drops_their_price(client, auth):
    nursery, _ = setup_nursery(price_fen=10000)
    slots = make_slots(nursery, days=3)
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, slots)
    response = cancel(client, headers, booking["id"], [slots[1].id])
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "confirmed" and body["price_fen"] == 20000
    assert [s["status"] for s in body["slots"]] == ["confirmed", "cancelled", "confirmed"]
    assert [fresh(Slot, s.id).booked for s in slots] == [1, 0, 1]
    last = cancel(client, headers, booking["id"], [slots[0].id, slots[2].id]).get_json()
    assert last["status"] == "cancelled" and last["price_fen"] == 0


def test_cancelling_what_is_already_cancelled_is_invalid_state(client, auth):
    nursery, _ = setup_nursery()
    slots = make_slots(nursery, days=2)
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, slots)
    assert cancel(client, headers, booking["id"], [slots[0].id]).status_code == 200
    again = cancel(client, headers, booking["id"], [slots[0].id])
    assert again.status_code == 409
    assert again.get_json()["error"] == {
        "code": "invalid_state", "message": again.get_json()["error"]["message"],
        "details": {"slot_ids": [slots[0].id]}}
    assert cancel(client, headers, booking["id"]).status_code == 200
    whole_again = cancel(client, headers, booking["id"])
    assert whole_again.status_code == 409
    assert whole_again.get_json()["error"]["code"] == "invalid_state"


def test_slots_outside_the_booking_are_a_validation_error(client, auth):
    nursery, _ = setup_nursery()
    mine, other = make_slot(nursery, day=in_days(3)), make_slot(nursery, day=in_days(4))
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, [mine])
    response = cancel(client, headers, booking["id"], [other.id])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "slot_ids" in response.get_json()["error"]["details"]


def test_after_the_cut_off_a_slot_cannot_be_cancelled(client, auth):
    # A 48-hour cut-off: tomorrow's slot is always inside it, the one in 5 days never.
    nursery, _ = setup_nursery(min_notice_hours=0, cancel_cutoff_hours=48)
    soon, later = make_slot(nursery, day=in_days(1)), make_slot(nursery, day=in_days(5))
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, [soon, later])
    for slot_ids in (None, [soon.id, later.id], [soon.id]):
        response = cancel(client, headers, booking["id"], slot_ids)
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "cancel_window_closed"
        assert error["details"] == {"slot_ids": [soon.id], "cancel_cutoff_hours": 48}
    assert fresh(Slot, soon.id).booked == 1 and fresh(Slot, later.id).booked == 1
    response = cancel(client, headers, booking["id"], [later.id])
    assert response.status_code == 200 and response.get_json()["status"] == "confirmed"


def test_the_cut_off_is_the_one_booked_under(client, auth, db):
    nursery, offering = setup_nursery(min_notice_hours=0, cancel_cutoff_hours=0)
    slot = make_slot(nursery, day=in_days(1))
    parent, headers = auth.parent()
    booking = booked(client, headers, make_child(parent).id, [slot])
    offering.cancel_cutoff_hours = 72  # the nursery tightens its terms afterwards
    db.session.commit()
    response = cancel(client, headers, booking["id"])
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert fresh(Slot, slot.id).booked == 0


def test_deleting_a_child_cancels_its_future_bookings(client, auth):
    nursery, _ = setup_nursery()
    slots = make_slots(nursery, days=2, capacity=2)
    parent, headers = auth.parent()
    child = make_child(parent)
    booking = booked(client, headers, child.id, slots)
    assert client.delete(f"/api/v1/children/{child.id}", headers=headers).status_code == 204
    row = fresh(Booking, booking["id"])
    assert row.status == "cancelled" and row.child_id is None and row.price_fen == 0
    assert [fresh(Slot, s.id).booked for s in slots] == [0, 0]


def test_deleting_the_account_cancels_every_childs_future_bookings(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=3)
    parent, headers = auth.parent()
    first = booked(client, headers, make_child(parent).id, [slot])
    second = booked(client, headers, make_child(parent).id, [slot])
    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    assert {fresh(Booking, b["id"]).status for b in (first, second)} == {"cancelled"}
    assert fresh(Slot, slot.id).booked == 0


def test_child_deletion_keeps_slots_that_have_started(auth, db):
    nursery, _ = setup_nursery(min_notice_hours=0)
    past, future = make_slot(nursery, day=in_days(2)), make_slot(nursery, day=in_days(4))
    parent, _ = auth.parent()
    child = make_child(parent)
    booking = book(parent, [past, future], child=child)
    later = past.starts_at() + timedelta(hours=1)  # the first day is under way
    cancel_child_future(child, later, offer_minutes=offer_minutes())
    db.session.commit()
    statuses = [bs.status for bs in fresh(Booking, booking.id).slots]
    assert statuses == ["confirmed", "cancelled"]
    assert fresh(Booking, booking.id).status == "confirmed"
    assert fresh(Slot, past.id).booked == 1 and fresh(Slot, future.id).booked == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(BookingSlot)) == 2
