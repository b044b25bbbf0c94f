"""PUT /operator/nurseries/{id}/offerings/{care_type}: terms with the contract's defaults."""

from __future__ import annotations

import pytest

from tests.asserts import assert_error
from tests.factories import make_nursery

DEFAULTS = {
    "full_day": (62, 12, 24),
    "half_day": (62, 12, 24),
    "hourly": (14, 2, 2),
    "temporary": (3, 1, 2),
}


def url(nursery_id, care_type="full_day"):
    return f"/api/v1/operator/nurseries/{nursery_id}/offerings/{care_type}"


@pytest.mark.parametrize("care_type", list(DEFAULTS))
def test_an_offering_takes_the_contract_defaults(client, auth, care_type):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    response = client.put(url(nursery.id, care_type), headers=headers, json={"price_fen": 9900})
    assert response.status_code == 200
    ahead, notice, cutoff = DEFAULTS[care_type]
    assert response.get_json() == {
        "care_type": care_type, "price_fen": 9900, "age_min_months": 0, "age_max_months": 36,
        "book_ahead_days": ahead, "min_notice_hours": notice, "cancel_cutoff_hours": cutoff}


def test_put_replaces_the_whole_offering(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    client.put(url(nursery.id), headers=headers, json={
        "price_fen": 1, "age_min_months": 12, "age_max_months": 30, "book_ahead_days": 5,
        "min_notice_hours": 3, "cancel_cutoff_hours": 4})
    replaced = client.put(url(nursery.id), headers=headers, json={"price_fen": 2}).get_json()
    assert replaced["price_fen"] == 2 and replaced["age_min_months"] == 0
    assert replaced["book_ahead_days"] == 62
    listing = client.get(f"/api/v1/operator/nurseries/{nursery.id}/offerings",
                         headers=headers).get_json()
    assert listing == {"items": [replaced]}


@pytest.mark.parametrize(("body", "field"), [
    ({"price_fen": 100, "age_max_months": 37}, "age_max_months"),
    ({"price_fen": 100, "age_min_months": 20, "age_max_months": 10}, "age_min_months"),
    ({"price_fen": -1}, "price_fen"),
    ({"price_fen": "100"}, "price_fen"),
    ({}, "price_fen"),
    ({"price_fen": 100, "min_notice_hours": -1}, "min_notice_hours"),
    ({"price_fen": 100, "colour": "red"}, "colour"),
])
def test_bad_offerings_are_422(client, auth, body, field):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    response = client.put(url(nursery.id), headers=headers, json=body)
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["details"]


def test_operators_only_reach_their_own_nurseries(client, auth):
    nursery = make_nursery()
    _, headers = auth.operator()
    for response in (client.put(url(nursery.id), headers=headers, json={"price_fen": 1}),
                     client.get(f"/api/v1/operator/nurseries/{nursery.id}/offerings",
                                headers=headers),
                     client.put(url(nursery.id, "weekly"), headers=headers,
                                json={"price_fen": 1})):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_parents_cannot_set_offerings(client, auth):
    nursery = make_nursery()
    _, headers = auth.parent()
    response = client.put(url(nursery.id), headers=headers, json={"price_fen": 1})
    assert_error(response, 403, "forbidden")
