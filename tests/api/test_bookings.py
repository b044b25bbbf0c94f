"""POST /bookings and reading bookings: the contract's shape, rules and error codes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from parentapp.models import Booking, Slot
from parentapp.timeutil import add_months
from tests.asserts import assert_error
from tests.booking_factories import (
    fill,
    fresh,
    in_days,
    make_hours,
    make_offering,
    make_slot,
    make_slots,
    setup_nursery,
)
from tests.factories import make_child, make_nursery

URL = "/api/v1/bookings"


def post_booking(client, headers, child_id, slot_ids, key=None, **extra):
    headers = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(URL, headers=headers,
                       json={"child_id": child_id, "slot_ids": slot_ids, **extra})


def error_of(response):
    return response.get_json()["error"]


def test_booking_a_month_of_full_days_takes_a_place_in_each(client, auth):
    nursery, offering = setup_nursery("full_day", price_fen=18000)
    slots = make_slots(nursery, "full_day", days=3)
    parent, headers = auth.parent()
    child = make_child(parent)
    response = post_booking(client, headers, child.id, [s.id for s in slots], note="午睡需要小被子")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["child_id"] == child.id
    assert body["nursery_id"] == nursery.id and body["care_type"] == "full_day"
    assert body["price_fen"] == 3 * 18000 and body["note"] == "午睡需要小被子"
    assert [s["id"] for s in body["slots"]] == [s.id for s in slots]
    first = body["slots"][0]
    assert first["date"] == slots[0].date.isoformat()
    assert (first["start"], first["end"]) == ("08:00", "17:30")
    assert first["status"] == "confirmed" and first["price_fen"] == 18000
    assert first["cancellable_until"].startswith(
        (slots[0].date - timedelta(days=1)).isoformat() + "T08:00:00+08:00")
    assert body["cancellable_until"] == first["cancellable_until"]
    assert body["created_at"].endswith("+08:00")
    assert [fresh(Slot, s.id).booked for s in slots] == [1, 1, 1]
    assert client.get(f"{URL}/{body['id']}", headers=headers).get_json() == body


def test_booking_without_an_idempotency_key_is_a_400(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    child = make_child(parent)
    response = client.post(URL, headers=headers, json={"child_id": child.id,
                                                       "slot_ids": [slot.id]})
    assert response.status_code == 400
    assert error_of(response)["code"] == "idempotency_key_required"
    assert fresh(Slot, slot.id).booked == 0


@pytest.mark.parametrize("body", [
    {"slot_ids": []},
    {"slot_ids": [1, 1]},
    {"slot_ids": ["x"]},
    {"note": "长" * 201},
    {"extra": 1},
])
def test_malformed_booking_bodies_are_422(client, auth, body):
    parent, headers = auth.parent()
    child = make_child(parent)
    payload = {"child_id": child.id, "slot_ids": [1], **body}
    response = client.post(URL, headers={**headers, "Idempotency-Key": "k"}, json=payload)
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


def test_booking_another_parents_child_is_not_found(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    other, _ = auth.parent()
    _, headers = auth.parent()
    response = post_booking(client, headers, make_child(other).id, [slot.id])
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("filing_status", ["draft", "pending", "rejected", "revoked"])
def test_slots_of_an_unfiled_nursery_are_not_found(client, auth, filing_status):
    nursery, _ = setup_nursery()
    nursery.filing_status = filing_status
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [slot.id])
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert error_of(response)["details"] == {"slot_ids": [slot.id]}


def test_unknown_slot_ids_are_not_found_and_nothing_is_taken(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [slot.id, 999999])
    assert_error(response, 404, "not_found")
    assert error_of(response)["details"] == {"slot_ids": [999999]}
    assert fresh(Slot, slot.id).booked == 0


def test_operators_cannot_book(client, auth):
    _, headers = auth.operator()
    response = post_booking(client, headers, 1, [1])
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


# -- slots_not_bookable_together --------------------------------------------------------


def _together_case(case):
    if case == "nurseries":
        a, _ = setup_nursery()
        b, _ = setup_nursery()
        return [make_slot(a), make_slot(b)]
    if case == "care_types":
        nursery, _ = setup_nursery("full_day")
        make_offering(nursery, "half_day")
        return [make_slot(nursery, "full_day"), make_slot(nursery, "half_day")]
    nursery, _ = setup_nursery(case.split("_")[0] if case != "hourly_gap" else "hourly")
    if case == "temporary_dates":
        return [make_slot(nursery, "temporary", in_days(1)),
                make_slot(nursery, "temporary", in_days(2))]
    if case == "hourly_dates":
        return [make_slot(nursery, "hourly", in_days(3), hour=9),
                make_slot(nursery, "hourly", in_days(4), hour=10)]
    if case == "hourly_gap":
        return [make_slot(nursery, "hourly", in_days(3), hour=9),
                make_slot(nursery, "hourly", in_days(3), hour=11)]
    return make_hours(nursery, in_days(3), first=7, count=11)  # hourly_length


@pytest.mark.parametrize("case", ["nurseries", "care_types", "temporary_dates",
                                  "hourly_dates", "hourly_gap", "hourly_length"])
def test_slots_that_cannot_go_in_one_booking_are_422(client, auth, case):
    slots = _together_case(case)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [s.id for s in slots])
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "slots_not_bookable_together"
    assert error["details"]["reason"] == case
    assert all(fresh(Slot, s.id).booked == 0 for s in slots)


def test_ten_consecutive_hours_on_one_date_are_one_booking(client, auth):
    nursery, _ = setup_nursery("hourly", price_fen=3000)
    hours = make_hours(nursery, in_days(3), first=7, count=10)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id,
                            [s.id for s in reversed(hours)])
    assert response.status_code == 201
    body = response.get_json()
    assert body["price_fen"] == 30000
    assert [s["start"] for s in body["slots"]] == [f"{h:02d}:00" for h in range(7, 17)]


# -- slot_closed, booking_window_closed, age_ineligible ----------------------------------


def test_a_closed_slot_cannot_be_booked(client, auth):
    nursery, _ = setup_nursery()
    open_slot, closed = make_slot(nursery, day=in_days(3)), make_slot(
        nursery, day=in_days(4), status="closed")
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [open_slot.id, closed.id])
    assert response.status_code == 409
    assert error_of(response)["code"] == "slot_closed"
    assert error_of(response)["details"]["slot_ids"] == [closed.id]
    assert fresh(Slot, open_slot.id).booked == 0


@pytest.mark.parametrize(("care_type", "days_ahead", "reason"), [
    ("full_day", 63, "too_early"),
    ("hourly", 15, "too_early"),
    ("temporary", 4, "too_early"),
    ("full_day", 0, "too_late"),
])
def test_slots_outside_the_booking_window_are_422(client, auth, care_type, days_ahead, reason):
    nursery, _ = setup_nursery(care_type)
    slot = make_slot(nursery, care_type, in_days(days_ahead))
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [slot.id])
    assert response.status_code == 422
    assert error_of(response)["code"] == "booking_window_closed"
    assert error_of(response)["details"] == {"slot_ids": [slot.id], "reason": reason}


@pytest.mark.parametrize(("care_type", "days_ahead"), [
    ("full_day", 62), ("hourly", 14), ("temporary", 3)])
def test_the_last_day_of_the_window_can_be_booked(client, auth, care_type, days_ahead):
    nursery, _ = setup_nursery(care_type)
    slot = make_slot(nursery, care_type, in_days(days_ahead))
    parent, headers = auth.parent()
    assert post_booking(client, headers, make_child(parent).id, [slot.id]).status_code == 201


def test_a_child_too_young_on_the_slot_date_is_422(client, auth):
    nursery, _ = setup_nursery(age_min_months=18, age_max_months=36)
    early, late = make_slot(nursery, day=in_days(3)), make_slot(nursery, day=in_days(40))
    # 18 months old on in_days(20): too young on the first slot, old enough on the second.
    born = add_months(in_days(20), -18)
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=born)
    response = post_booking(client, headers, child.id, [early.id, late.id])
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "age_ineligible"
    assert error["details"] == {"slot_ids": [early.id], "age_min_months": 18,
                                "age_max_months": 36}
    assert post_booking(client, headers, child.id, [late.id]).status_code == 201


def test_a_child_over_the_age_limit_is_422(client, auth):
    nursery, _ = setup_nursery(age_max_months=24)
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=add_months(in_days(3), -25))
    response = post_booking(client, headers, child.id, [slot.id])
    assert response.status_code == 422 and error_of(response)["code"] == "age_ineligible"


# -- already_booked ----------------------------------------------------------------------


def test_booking_the_same_slot_twice_is_already_booked(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    child = make_child(parent)
    first = post_booking(client, headers, child.id, [slot.id])
    second = post_booking(client, headers, child.id, [slot.id])
    assert second.status_code == 409
    assert error_of(second)["code"] == "already_booked"
    assert error_of(second)["details"] == {"slot_ids": [slot.id],
                                           "booking_ids": [first.get_json()["id"]]}
    assert fresh(Slot, slot.id).booked == 1


def test_an_overlapping_booking_at_another_nursery_is_already_booked(client, auth):
    day_care, _ = setup_nursery("full_day")
    hourly_place, _ = setup_nursery("hourly")
    full_day = make_slot(day_care, "full_day", in_days(5))
    evening = make_slot(hourly_place, "hourly", in_days(5), hour=17)  # 17:00-18:00 overlaps
    later = make_slot(hourly_place, "hourly", in_days(5), hour=18)  # 18:00-19:00 does not
    parent, headers = auth.parent()
    child = make_child(parent)
    assert post_booking(client, headers, child.id, [full_day.id]).status_code == 201
    clash = post_booking(client, headers, child.id, [evening.id])
    assert clash.status_code == 409 and error_of(clash)["code"] == "already_booked"
    assert post_booking(client, headers, child.id, [later.id]).status_code == 201
    # A sibling is another child: no clash.
    assert post_booking(client, headers, make_child(parent).id, [evening.id]).status_code == 201


def test_half_days_of_the_same_date_do_not_overlap(client, auth):
    nursery, _ = setup_nursery("half_day")
    am = make_slot(nursery, "half_day", in_days(3), part="am")
    pm = make_slot(nursery, "half_day", in_days(3), part="pm")
    parent, headers = auth.parent()
    child = make_child(parent)
    assert post_booking(client, headers, child.id, [am.id]).status_code == 201
    assert post_booking(client, headers, child.id, [pm.id]).status_code == 201


# -- slot_full -----------------------------------------------------------------------------


def test_a_full_slot_fails_the_whole_booking_and_names_the_full_slots(client, auth, db):
    nursery, _ = setup_nursery()
    free, full = make_slot(nursery, day=in_days(3), capacity=2), make_slot(
        nursery, day=in_days(4), capacity=1)
    fill(full)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [free.id, full.id])
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "slot_full" and error["details"] == {"slot_ids": [full.id]}
    assert fresh(Slot, free.id).booked == 0 and fresh(Slot, full.id).booked == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 1


def test_the_price_is_computed_by_the_server(client, auth):
    nursery, _ = setup_nursery("half_day", price_fen=8000)
    slots = [make_slot(nursery, "half_day", in_days(3), part="am"),
             make_slot(nursery, "half_day", in_days(4), part="pm")]
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [s.id for s in slots],
                            price_fen=1)
    assert_error(response, 422, "validation_error")  # a client price is an unknown field
    response = post_booking(client, headers, make_child(parent).id, [s.id for s in slots])
    assert response.get_json()["price_fen"] == 16000


# -- reading -------------------------------------------------------------------------------


def test_parents_list_their_bookings_with_filters(client, auth):
    nursery, _ = setup_nursery()
    near, far = make_slot(nursery, day=in_days(2)), make_slot(nursery, day=in_days(20))
    parent, headers = auth.parent()
    child = make_child(parent)
    first = post_booking(client, headers, child.id, [near.id]).get_json()
    second = post_booking(client, headers, child.id, [far.id]).get_json()
    client.post(f"{URL}/{first['id']}/cancel", headers=headers)
    other, other_headers = auth.parent()
    post_booking(client, other_headers, make_child(other).id, [near.id])

    listing = client.get(URL, headers=headers).get_json()
    assert [b["id"] for b in listing["items"]] == [second["id"], first["id"]]
    assert listing["total"] == 2
    by_status = client.get(f"{URL}?status=cancelled", headers=headers).get_json()
    assert [b["id"] for b in by_status["items"]] == [first["id"]]
    window = f"{URL}?from={in_days(10).isoformat()}&to={in_days(30).isoformat()}"
    assert [b["id"] for b in client.get(window, headers=headers).get_json()["items"]] == [
        second["id"]]
    assert_error(client.get(f"{URL}?status=lost", headers=headers), 422, "validation_error")


def test_another_familys_booking_is_not_found(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    booking = post_booking(client, headers, make_child(parent).id, [slot.id]).get_json()
    _, stranger = auth.parent()
    for response in (client.get(f"{URL}/{booking['id']}", headers=stranger),
                     client.post(f"{URL}/{booking['id']}/cancel", headers=stranger)):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_nursery_that_is_not_visible_keeps_slots_out_of_reach(client, auth):
    nursery = make_nursery(kind="employer", open_to_public=False)
    make_offering(nursery)
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    response = post_booking(client, headers, make_child(parent).id, [slot.id])
    assert_error(response, 404, "not_found")

