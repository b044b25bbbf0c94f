"""The answer to POST /bookings is built from the rows the booking loaded
(``schemas.bookings.new_booking_item``); it equals what ``BookingSchema`` dumps for the
same booking read back, and GET /bookings/{id} answers the same."""

from __future__ import annotations

import uuid

import pytest

from parentapp.models import Booking
from parentapp.schemas.bookings import BookingSchema
from parentapp.services.booking.bookings import booking_query, with_booked_by
from tests.booking_factories import in_days, make_hours, make_slot, setup_nursery
from tests.factories import make_child
from tests.family_factories import add_person


def _book(client, headers, body):
    response = client.post("/api/v1/bookings", json=body,
                           headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _dumped(db, booking_id: int) -> dict:
    db.session.expire_all()
    booking = db.session.scalar(booking_query().where(Booking.id == booking_id))
    return BookingSchema().dump(with_booked_by([booking])[0])


@pytest.mark.parametrize("care_type,slots,note", [
    ("full_day", 1, None),
    ("full_day", 5, "午睡需要安抚巾"),
    ("hourly", 3, ""),
])
def test_the_built_answer_equals_the_schema_dump(client, auth, db, care_type, slots, note):
    nursery, _ = setup_nursery(care_type)
    if care_type == "hourly":
        made = make_hours(nursery, in_days(4), first=9, count=slots)
    else:
        made = [make_slot(nursery, day=in_days(3 + n)) for n in range(slots)]
    parent, headers = auth.parent()
    child = make_child(parent)
    body = {"child_id": child.id, "slot_ids": [s.id for s in made]}
    if note is not None:
        body["note"] = note
    answer = _book(client, headers, body)
    assert answer == _dumped(db, answer["id"])
    assert client.get(f"/api/v1/bookings/{answer['id']}", headers=headers).get_json() == answer
    assert answer["booked_by"]["user_id"] == parent.id
    assert [s["id"] for s in answer["slots"]] == sorted(s.id for s in made)


def test_a_carer_booking_names_the_carer_and_their_relation(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3))
    guardian, _ = auth.parent()
    child = make_child(guardian)
    carer, carer_headers = auth.parent()
    add_person(child, carer, role="carer", relation="grandparent")
    answer = _book(client, carer_headers, {"child_id": child.id, "slot_ids": [slot.id]})
    assert answer["booked_by"] == {"user_id": carer.id, "nickname": carer.nickname,
                                   "relation": "grandparent"}
    assert answer == _dumped(db, answer["id"])
