"""GET /nurseries/{id}/slots: places left and bookability from the one availability rule."""

from __future__ import annotations

from tests.asserts import assert_error
from tests.booking_factories import (
    fill,
    in_days,
    make_offering,
    make_slot,
    setup_nursery,
)
from tests.factories import make_nursery, make_user


def listing(client, nursery_id, headers=None, **query):
    query.setdefault("from", in_days(0).isoformat())
    query.setdefault("to", in_days(30).isoformat())
    return client.get(f"/api/v1/nurseries/{nursery_id}/slots", query_string=query,
                      headers=headers or {})


def test_a_slot_is_listed_with_its_places_and_price(client):
    nursery, _ = setup_nursery(price_fen=16000)
    slot = make_slot(nursery, capacity=3)
    fill(make_slot(nursery, day=in_days(4), capacity=1))
    response = listing(client, nursery.id)
    assert response.status_code == 200
    first, second = response.get_json()["items"]
    assert first == {"id": slot.id, "care_type": "full_day", "date": slot.date.isoformat(),
                     "start": "08:00", "end": "17:30", "capacity": 3, "booked": 0,
                     "remaining": 3, "status": "open", "price_fen": 16000, "bookable": True,
                     "waitlist_length": 0, "held": 0, "closed_reason": None}
    assert (second["booked"], second["remaining"], second["bookable"]) == (1, 0, False)


def test_closed_and_out_of_window_slots_are_not_bookable(client):
    nursery, _ = setup_nursery("temporary")
    make_slot(nursery, "temporary", in_days(2), status="closed", closed_reason="停电")
    make_slot(nursery, "temporary", in_days(10))  # temporary books 3 days ahead at most
    items = listing(client, nursery.id).get_json()["items"]
    assert [(i["status"], i["bookable"], i["remaining"]) for i in items] == [
        ("closed", False, 5), ("open", False, 5)]
    assert items[0]["closed_reason"] == "停电"


def test_the_range_and_care_type_filter(client):
    nursery, _ = setup_nursery("full_day")
    make_offering(nursery, "hourly")
    day = make_slot(nursery, "full_day", in_days(5))
    hour = make_slot(nursery, "hourly", in_days(5), hour=9)
    make_slot(nursery, "full_day", in_days(40))
    items = listing(client, nursery.id, care_type="hourly").get_json()["items"]
    assert [i["id"] for i in items] == [hour.id]
    items = listing(client, nursery.id).get_json()["items"]
    assert [i["id"] for i in items] == [day.id, hour.id]


def test_the_range_defaults_to_the_coming_week(client):
    nursery, _ = setup_nursery()
    this_week = make_slot(nursery, day=in_days(6))
    make_slot(nursery, day=in_days(7))
    response = client.get(f"/api/v1/nurseries/{nursery.id}/slots")
    assert [i["id"] for i in response.get_json()["items"]] == [this_week.id]


def test_at_most_62_days_at_once(client):
    nursery, _ = setup_nursery()
    fine = listing(client, nursery.id, to=in_days(61).isoformat())
    too_long = listing(client, nursery.id, to=in_days(62).isoformat())
    backwards = listing(client, nursery.id, to=in_days(-1).isoformat())
    assert fine.status_code == 200
    for response in (too_long, backwards):
        assert_error(response, 422, "validation_error")
        assert "to" in response.get_json()["error"]["details"]
    assert_error(listing(client, nursery.id, care_type="weekly"), 422, "validation_error")


def test_unfiled_nurseries_are_hidden_except_from_their_operator(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="pending")
    make_offering(nursery)
    make_slot(nursery)
    assert_error(listing(client, nursery.id), 404, "not_found")
    _, parent_headers = auth.parent()
    assert_error(listing(client, nursery.id, parent_headers), 404, "not_found")
    _, stranger = auth.operator()
    assert_error(listing(client, nursery.id, stranger), 404, "not_found")
    own = listing(client, nursery.id, headers)
    assert own.status_code == 200 and len(own.get_json()["items"]) == 1
    assert_error(listing(client, 999999), 404, "not_found")


def test_listing_counts_waiting_families(client, auth, db):
    from parentapp.models import WaitlistEntry, utcnow
    from tests.factories import make_child

    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=1)
    fill(slot)
    for _ in range(2):
        parent = make_user("parent")
        db.session.add(WaitlistEntry(slot_id=slot.id, parent_id=parent.id,
                                     child_id=make_child(parent).id, created_at=utcnow()))
    db.session.commit()
    [item] = listing(client, nursery.id).get_json()["items"]
    assert item["waitlist_length"] == 2 and item["remaining"] == 0
