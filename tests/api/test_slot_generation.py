"""POST /operator/nurseries/{id}/slots and the licensed-places rule."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from parentapp.errors import CapacityExceedsLicensedPlaces
from parentapp.models import Slot
from parentapp.services.nurseries.licensed_places import ensure_within_licensed_places
from tests.asserts import assert_error
from tests.booking_factories import in_days, make_offering, make_slot
from tests.factories import make_nursery


def url(nursery_id):
    return f"/api/v1/operator/nurseries/{nursery_id}/slots"


def next_monday():
    day = in_days(1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def body(**overrides):
    start = next_monday()
    return {"care_type": "full_day", "from": start.isoformat(),
            "to": (start + timedelta(days=13)).isoformat(), "weekdays": [1, 2, 3, 4, 5],
            "capacity": 10, **overrides}


def own_nursery(auth, *care_types, **fields):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, **fields)
    for care_type in care_types or ("full_day",):
        make_offering(nursery, care_type)
    return nursery, headers


def slots_of(db, nursery_id, care_type=None):
    stmt = db.select(Slot).where(Slot.nursery_id == nursery_id).order_by(
        Slot.date, Slot.start_time)
    if care_type:
        stmt = stmt.where(Slot.care_type == care_type)
    return list(db.session.scalars(stmt))


def test_two_weeks_of_weekdays_make_ten_full_days(client, auth, db):
    nursery, headers = own_nursery(auth)
    response = client.post(url(nursery.id), headers=headers, json=body())
    assert response.status_code == 201
    assert response.get_json() == {"created": 10, "skipped_existing": 0}
    slots = slots_of(db, nursery.id)
    assert {s.date.isoweekday() for s in slots} == {1, 2, 3, 4, 5}
    assert {(s.start_time, s.end_time, s.capacity, s.status) for s in slots} == {
        (time(8), time(17, 30), 10, "open")}


def test_existing_slots_are_skipped(client, auth, db):
    nursery, headers = own_nursery(auth)
    client.post(url(nursery.id), headers=headers,
                json=body(to=(next_monday() + timedelta(days=6)).isoformat()))
    again = client.post(url(nursery.id), headers=headers, json=body())
    assert again.get_json() == {"created": 5, "skipped_existing": 5}
    assert len(slots_of(db, nursery.id)) == 10


def test_half_days_are_made_per_part(client, auth, db):
    nursery, headers = own_nursery(auth, "half_day")
    monday = next_monday().isoformat()
    response = client.post(url(nursery.id), headers=headers, json=body(
        care_type="half_day", to=monday, parts=["pm"]))
    assert response.get_json() == {"created": 1, "skipped_existing": 0}
    both = client.post(url(nursery.id), headers=headers,
                       json=body(care_type="half_day", to=monday))
    assert both.get_json() == {"created": 1, "skipped_existing": 1}
    assert [(s.start_time, s.end_time) for s in slots_of(db, nursery.id)] == [
        (time(8), time(12)), (time(14), time(17, 30))]


def test_hourly_slots_fill_the_day_with_whole_hours(client, auth, db):
    nursery, headers = own_nursery(auth, "hourly")
    monday = next_monday().isoformat()
    response = client.post(url(nursery.id), headers=headers,
                           json=body(care_type="hourly", to=monday, capacity=3))
    assert response.get_json() == {"created": 9, "skipped_existing": 0}
    hours = [(s.start_time.hour, s.end_time.hour) for s in slots_of(db, nursery.id)]
    assert hours == [(h, h + 1) for h in range(8, 17)]


def test_hourly_slots_start_at_an_odd_opening_time(client, auth, db):
    nursery, headers = own_nursery(auth, "hourly", opening_hours={
        "day": ["07:30", "10:00"], "am": ["07:30", "09:00"], "pm": ["09:00", "10:00"]})
    client.post(url(nursery.id), headers=headers,
                json=body(care_type="hourly", to=next_monday().isoformat()))
    assert [(s.start_time, s.end_time) for s in slots_of(db, nursery.id)] == [
        (time(7, 30), time(8, 30)), (time(8, 30), time(9, 30))]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"to": (next_monday() + timedelta(days=62)).isoformat()}, "to"),
    ({"to": (next_monday() - timedelta(days=1)).isoformat()}, "to"),
    ({"from": in_days(-1).isoformat()}, "from"),
    ({"weekdays": [0]}, "weekdays"),
    ({"weekdays": [8]}, "weekdays"),
    ({"weekdays": [1, 1]}, "weekdays"),
    ({"weekdays": []}, "weekdays"),
    ({"capacity": 0}, "capacity"),
    ({"parts": ["am"]}, "parts"),
    ({"care_type": "hourly"}, "care_type"),  # no hourly offering yet
    ({"care_type": "weekly"}, "care_type"),
])
def test_bad_generation_requests_are_422(client, auth, db, overrides, field):
    nursery, headers = own_nursery(auth)
    response = client.post(url(nursery.id), headers=headers, json=body(**overrides))
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["details"]
    assert slots_of(db, nursery.id) == []


def test_sixty_two_days_is_the_most_at_once(client, auth):
    nursery, headers = own_nursery(auth)
    response = client.post(url(nursery.id), headers=headers, json=body(
        to=(next_monday() + timedelta(days=61)).isoformat(), weekdays=[1, 2, 3, 4, 5, 6, 7]))
    assert response.get_json() == {"created": 62, "skipped_existing": 0}


def test_another_operators_nursery_is_not_found(client, auth):
    nursery = make_nursery()
    make_offering(nursery)
    _, headers = auth.operator()
    response = client.post(url(nursery.id), headers=headers, json=body())
    assert_error(response, 404, "not_found")


# -- licensed places -----------------------------------------------------------------------


def test_capacity_beyond_the_licensed_places_is_refused(client, auth, db):
    nursery, headers = own_nursery(auth, licensed_places=8)
    response = client.post(url(nursery.id), headers=headers, json=body(capacity=9))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "capacity_exceeds_licensed_places"
    assert error["details"] == {"date": next_monday().isoformat(), "time": "08:00",
                                "total": 9, "licensed_places": 8}
    assert slots_of(db, nursery.id) == []


def test_care_types_share_the_licensed_places_where_their_hours_overlap(client, auth, db):
    nursery, headers = own_nursery(auth, "full_day", "half_day", "hourly",
                                   licensed_places=20)
    monday = next_monday().isoformat()
    one_day = {"from": monday, "to": monday}
    assert client.post(url(nursery.id), headers=headers, json=body(
        **one_day, capacity=10)).status_code == 201
    # am (08:00-12:00) and pm (14:00-17:30) never overlap each other: 10 each fits.
    assert client.post(url(nursery.id), headers=headers, json=body(
        **one_day, care_type="half_day", capacity=10)).status_code == 201
    # Any hourly place now overflows during am or pm hours...
    refused = client.post(url(nursery.id), headers=headers, json=body(
        **one_day, care_type="hourly", capacity=1))
    assert_error(refused, 409, "capacity_exceeds_licensed_places")
    assert refused.get_json()["error"]["details"]["time"] == "08:00"
    assert len(slots_of(db, nursery.id, "hourly")) == 0


def test_the_lunch_gap_has_room_for_hourly_care(auth, db):
    nursery, _ = own_nursery(auth, "half_day", "hourly", licensed_places=10)
    monday = next_monday()
    make_slot(nursery, "half_day", monday, capacity=10, part="am")
    make_slot(nursery, "half_day", monday, capacity=10, part="pm")
    make_slot(nursery, "hourly", monday, capacity=10, hour=12)
    make_slot(nursery, "hourly", monday, capacity=10, hour=13)
    ensure_within_licensed_places(nursery, [monday])  # 12:00-14:00 sits between the halves
    make_slot(nursery, "hourly", monday, capacity=1, hour=14)
    with pytest.raises(CapacityExceedsLicensedPlaces) as raised:
        ensure_within_licensed_places(nursery, [monday])
    assert raised.value.details["time"] == "14:00" and raised.value.details["total"] == 11


def test_closed_slots_do_not_count_against_the_licence(client, auth):
    nursery, headers = own_nursery(auth, licensed_places=10)
    make_offering(nursery, "temporary")
    monday = next_monday()
    make_slot(nursery, "full_day", monday, capacity=10, status="closed")
    response = client.post(url(nursery.id), headers=headers, json=body(
        care_type="temporary", **{"from": monday.isoformat()}, to=monday.isoformat()))
    assert response.status_code == 201
