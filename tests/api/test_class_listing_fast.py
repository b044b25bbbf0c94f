"""The class listing's hand-built JSON is the dump of its documented page schema over the
schema path (queries.list_classes), for varied classes, filters and pages; the listing is
public with an ETag, Cache-Control and 304."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.classes import ClassItemSchema
from parentapp.services.classes import queries
from parentapp.timeutil import local_today
from tests.factories import make_class, make_enrollment, make_nursery

URL = "/api/v1/classes"


def schema_dump(**query) -> dict:
    query.setdefault("page", 1)
    query.setdefault("per_page", 20)
    return page_of(ClassItemSchema)().dump(queries.list_classes(utcnow(), **query))


def varied_classes():
    """Cancelled, completed, full with a waitlist, deadline passed, age bands and none,
    a nursery's, two townships and kinds, Chinese text."""
    now, nursery = utcnow(), make_nursery()
    full = make_class(capacity=2, title="亲子阅读", kind="parent_child",
                      child_age_min_months=12, child_age_max_months=36, nursery_id=nursery.id,
                      description="请带上孩子喜欢的绘本。")
    for status in ("enrolled", "enrolled", "waitlisted", "waitlisted", "left", "cancelled"):
        make_enrollment(full, status=status)
    make_class(cancelled_at=now, cancel_reason="场地维修", township="500240002")
    past = now - timedelta(days=2)
    make_class(starts_at=past, ends_at=past + timedelta(hours=1),
               enroll_deadline=past - timedelta(hours=1))  # completed
    soon = now + timedelta(days=2)
    closed = make_class(starts_at=soon, ends_at=soon + timedelta(hours=2),
                        enroll_deadline=now - timedelta(hours=1), kind="home_visit_day",
                        child_age_max_months=6)
    make_enrollment(closed)
    for n in range(3):
        starts = soon + timedelta(days=n + 1)
        make_class(starts_at=starts, ends_at=starts + timedelta(hours=1),
                   enroll_deadline=starts, lat=30.0 + n / 100, lng=108.1 + n / 100)


def query_string(query: dict) -> dict:
    names = {"date_from": "from", "date_to": "to"}
    return {names.get(k, k): v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in query.items()}


@pytest.mark.parametrize("query", [
    {},
    {"date_from": -3},
    {"date_from": -3, "date_to": 3},
    {"date_from": -3, "lat": 30.01, "lng": 108.11},
    {"township": "500240002"},
    {"kind": "parent_child"},
    {"date_from": -3, "page": 1, "per_page": 2},
    {"date_from": -3, "page": 2, "per_page": 2},
    {"date_from": -3, "page": 4, "per_page": 2},
    {"date_from": -3, "page": 9, "per_page": 2},  # past the end: empty, total still counted
    {"date_from": 400},  # nothing: total 0
])
def test_the_fast_listing_is_the_schema_dump(client, query):
    varied_classes()
    today = local_today(utcnow())
    query = {k: today + timedelta(days=v) if k.startswith("date_") else v
             for k, v in query.items()}
    response = client.get(URL, query_string=query_string(query))
    assert response.status_code == 200, response.get_json()
    expected = schema_dump(**query)
    assert response.get_json() == expected
    assert response.get_data() == current_app.json.response(expected).get_data()


def test_the_varied_listing_shows_every_status_and_count(client):
    varied_classes()
    from_ = (local_today(utcnow()) - timedelta(days=3)).isoformat()
    body = client.get(URL, query_string={"from": from_}).get_json()
    assert body["total"] == 7
    statuses = {item["status"] for item in body["items"]}
    assert statuses == {"scheduled", "cancelled", "completed"}
    (full,) = [item for item in body["items"] if item["title"] == "亲子阅读"]
    assert (full["enrolled"], full["remaining"], full["waitlist_length"]) == (2, 0, 2)
    assert "请带上孩子喜欢的绘本".encode() in client.get(URL).get_data()


def test_the_listing_is_public_with_an_etag_and_answers_304(client):
    varied_classes()
    first = client.get(URL)
    assert first.headers["Cache-Control"] == "public, max-age=5"
    assert "Authorization" in first.headers["Vary"]
    etag = first.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304
    make_enrollment(make_class())
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_listing_asked_with_a_token_is_private(client, auth):
    make_class()
    _, headers = auth.parent()
    response = client.get(URL, headers=headers)
    assert response.status_code == 200 and response.headers["Cache-Control"] == (
        "private, no-cache")


def test_a_rejected_query_has_no_cache_headers(client):
    response = client.get(URL, query_string={"per_page": 101})
    assert response.status_code == 422 and "ETag" not in response.headers
