"""The hot public reads: the slot listing's hand-built JSON is its schema's dump, and the
public listings answer with an ETag, Cache-Control and 304 on a matching If-None-Match."""

from __future__ import annotations

from flask import current_app

from parentapp import service_settings
from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.schemas.slots import SlotListSchema
from parentapp.services.nurseries import slots
from tests.booking_factories import book, in_days, make_offering, make_slot, setup_nursery
from tests.factories import make_child, make_nursery, make_user

ANONYMOUS = "public, max-age=5"
PERSONAL = "private, no-cache"


def listing(client, nursery_id, headers=None, **query):
    query.setdefault("from", in_days(0).isoformat())
    query.setdefault("to", in_days(30).isoformat())
    return client.get(f"/api/v1/nurseries/{nursery_id}/slots", query_string=query,
                      headers=headers or {})


def varied_nursery():
    """Every kind of listed slot: closed with a Chinese reason, held, held by a round,
    booked, half days and hours, past the booking window."""
    nursery, _ = setup_nursery(price_fen=16000)
    make_offering(nursery, "half_day", price_fen=9000)
    make_offering(nursery, "hourly", price_fen=2500)
    make_slot(nursery, day=in_days(2), status="closed", closed_reason="停电检修")
    make_slot(nursery, day=in_days(3), capacity=6, held=1, round_held=2)
    make_slot(nursery, "half_day", in_days(3), part="pm")
    make_slot(nursery, "hourly", in_days(4), hour=15)
    make_slot(nursery, day=in_days(0))  # too late: notice has passed or nearly
    make_slot(nursery, day=in_days(5), capacity=1, booked=1)  # full
    book(make_user("parent"), [make_slot(nursery, day=in_days(6))])
    db.session.commit()
    return nursery


def test_the_fast_listing_is_byte_for_byte_the_schema_dump(client):
    nursery = varied_nursery()
    response = listing(client, nursery.id)
    assert response.status_code == 200
    views = slots.list_slots(nursery.id, day_from=in_days(0), day_to=in_days(30),
                             care_type=None, now=utcnow(),
                             offer_minutes=service_settings.offer_minutes())
    expected = current_app.json.response(SlotListSchema().dump({"items": views}))
    assert len(views) == 7
    assert response.get_data() == expected.get_data()
    assert response.mimetype == expected.mimetype == "application/json"
    assert "停电检修".encode() in response.get_data()  # UTF-8, not \\u escapes


def test_remaining_excludes_held_and_round_held_places(client):
    nursery, _ = setup_nursery()
    make_slot(nursery, day=in_days(3), capacity=6, held=1, round_held=2, booked=1)
    (item,) = listing(client, nursery.id).get_json()["items"]
    assert (item["remaining"], item["held"], item["bookable"]) == (2, 1, True)


def test_a_matching_if_none_match_answers_304_until_the_places_change(client):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3))
    first = listing(client, nursery.id)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = listing(client, nursery.id, {"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert listing(client, nursery.id, {"If-None-Match": f"W/{etag}"}).status_code == 304
    book(make_user("parent"), [slot])
    changed = listing(client, nursery.id, {"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag and changed.get_json()["items"][0]["booked"] == 1


def test_anonymous_listings_are_public_and_token_answers_private(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery(operator=operator)
    make_slot(nursery, day=in_days(3))
    anonymous = listing(client, nursery.id)
    assert anonymous.headers["Cache-Control"] == ANONYMOUS
    assert "Authorization" in anonymous.headers["Vary"]
    own = listing(client, nursery.id, headers)
    assert own.status_code == 200 and own.headers["Cache-Control"] == PERSONAL


def test_an_unfiled_nursery_seen_by_its_operator_is_never_public(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="pending")
    make_offering(nursery)
    response = listing(client, nursery.id, headers)
    assert response.status_code == 200 and response.headers["Cache-Control"] == PERSONAL
    hidden = listing(client, nursery.id)
    assert hidden.status_code == 404
    assert "ETag" not in hidden.headers and "public" not in hidden.headers.get(
        "Cache-Control", "")


def test_nursery_page_has_an_etag_and_answers_304(client):
    nursery = make_nursery()
    url = f"/api/v1/nurseries/{nursery.id}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_search_is_public_unless_it_names_a_child(client, auth):
    make_nursery()
    public = client.get("/api/v1/nurseries")
    assert public.status_code == 200 and public.headers["Cache-Control"] == "public, max-age=30"
    assert client.get("/api/v1/nurseries", headers={
        "If-None-Match": public.headers["ETag"]}).status_code == 304
    parent, headers = auth.parent()
    child = make_child(parent)
    personal = client.get("/api/v1/nurseries", query_string={"child_id": child.id},
                          headers=headers)
    assert personal.status_code == 200 and personal.headers["Cache-Control"] == PERSONAL
