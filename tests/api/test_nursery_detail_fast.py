"""The public nursery page's hand-built JSON is NurseryDetailSchema's dump of the schema
path (search.get_public_nursery), for varied nurseries and queries; hidden ones are 404."""

from __future__ import annotations

import pytest
from flask import current_app

from parentapp import service_settings
from parentapp.models import utcnow
from parentapp.schemas.nursery_search import NurseryDetailSchema
from parentapp.services.nurseries import search
from tests.booking_factories import in_days, make_offering, make_slot
from tests.factories import make_nursery


def schema_dump(nursery_id: int, **query) -> dict:
    listing = search.get_public_nursery(nursery_id, now=utcnow(), **query,
                                        offer_minutes=service_settings.offer_minutes())
    return NurseryDetailSchema().dump(listing)


def page(client, nursery_id: int, **query):
    return client.get(f"/api/v1/nurseries/{nursery_id}", query_string=query)


def varied_nursery():
    """Offerings made out of care-type order, a description in Chinese, inclusive, an
    employer nursery open to the public."""
    nursery = make_nursery(kind="employer", open_to_public=True, inclusive=True,
                           description="园内有户外活动场地。\n周末不开放。", licensed_places=25)
    make_offering(nursery, "temporary", price_fen=3000)
    make_offering(nursery, "full_day", price_fen=16000, age_min_months=6)
    make_offering(nursery, "hourly", price_fen=2500, age_max_months=24)
    return nursery


@pytest.mark.parametrize("query", [
    {},
    {"lat": 30.01, "lng": 108.12},
    {"care_type": "full_day"},
    {"care_type": "full_day", "day": 3},
    {"care_type": "half_day", "day": 3},
    {"lat": 29.99, "lng": 108.1, "care_type": "hourly", "day": 4},
])
def test_the_fast_page_is_the_schema_dump(client, query):
    nursery = varied_nursery()
    make_slot(nursery, day=in_days(3))
    make_slot(nursery, "hourly", in_days(4), capacity=1, booked=1)  # full: no vacancy
    args = dict(query)
    if "day" in args:
        args["day"] = in_days(args["day"])
    response = page(client, nursery.id, **{("date" if k == "day" else k): (
        v.isoformat() if k == "day" else v) for k, v in args.items()})
    assert response.status_code == 200
    expected = schema_dump(nursery.id, **args)
    assert response.get_json() == expected
    assert response.get_data() == current_app.json.response(expected).get_data()
    assert [o["care_type"] for o in expected["offerings"]] == ["full_day", "hourly",
                                                               "temporary"]


def test_a_nursery_without_offerings_or_filing_date_is_the_schema_dump(client):
    nursery = make_nursery(filed_on=None, filing_no=None)
    response = page(client, nursery.id)
    expected = schema_dump(nursery.id)
    assert response.get_json() == expected
    assert expected["offerings"] == [] and expected["filing"]["filed_on"] is None


def test_chinese_text_is_written_unescaped(client):
    nursery = varied_nursery()
    assert "户外活动".encode() in page(client, nursery.id).get_data()


@pytest.mark.parametrize("overrides", [
    {"filing_status": "pending"},
    {"filing_status": "draft"},
    {"filing_status": "rejected"},
    {"kind": "employer", "open_to_public": False},
])
def test_hidden_and_unapproved_nurseries_are_404_without_cache_headers(client, overrides):
    nursery = make_nursery(**overrides)
    make_offering(nursery)
    response = page(client, nursery.id)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


def test_an_unknown_nursery_is_404(client):
    response = page(client, 987654)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_page_is_public_with_an_etag_and_answers_304(client):
    nursery = varied_nursery()
    first = page(client, nursery.id)
    assert first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(f"/api/v1/nurseries/{nursery.id}",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
