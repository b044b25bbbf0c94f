"""The capped total: exact to 1,000 matches; beyond, 1000 and ``total_capped`` (the contract)."""

import random

import pytest

from parentapp.extensions import db
from parentapp.models import Nursery, utcnow
from parentapp.services.nurseries import geo
from tests.factories import make_user

URL = "/api/v1/nurseries"
HOME = (29.999, 108.114)


def _insert(n: int, *, spread_deg: float = 0.02, seed: int = 1, same_point: bool = False) -> None:
    """``n`` approved nurseries within about 2 km of HOME (all on HOME with same_point)."""
    rnd, now = random.Random(seed), utcnow()
    operator_id = make_user("operator").id
    rows = [{"operator_id": operator_id, "name": f"石柱托育园{i:05d}", "address": "某路 1 号",
             "township": "500240001", "phone": "13800000000", "kind": "nursery",
             "licensed_places": 30, "registration_type": "for_profit", "credit_code": "x",
             "opening_hours": {}, "description": "", "inclusive": False,
             "open_to_public": True, "filing_status": "approved",
             "lat": HOME[0] + (0 if same_point else rnd.uniform(-spread_deg, spread_deg)),
             "lng": HOME[1] + (0 if same_point else rnd.uniform(-spread_deg, spread_deg)),
             "created_at": now, "updated_at": now} for i in range(n)]
    db.session.execute(db.insert(Nursery), rows)
    db.session.commit()


def _reference_order() -> list[int]:
    """Every visible nursery by haversine from HOME, ties by id: what search must list."""
    origin = geo.Origin(*HOME)
    rows = db.session.execute(db.select(Nursery.id, Nursery.lat, Nursery.lng)).all()
    return [nid for _, nid in sorted((origin.half_chord(lat, lng), nid) for nid, lat, lng in rows)]


def _get(client, query: str) -> dict:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture(params=["sql", "python"])
def geo_mode(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(geo, "sql_math_available", lambda: False)
    return request.param


def test_more_than_1000_matches_count_as_1000_capped_and_pages_stop_there(client, db, geo_mode):
    _insert(1005)
    position = f"lat={HOME[0]}&lng={HOME[1]}"
    first = _get(client, position)
    assert (first["total"], first["total_capped"], len(first["items"])) == (1000, True, 20)
    ranked = _reference_order()
    assert [i["id"] for i in first["items"]] == ranked[:20]
    last = _get(client, position + "&page=10&per_page=100")
    assert [i["id"] for i in last["items"]] == ranked[900:1000]
    assert (last["total"], last["total_capped"]) == (1000, True)
    # A page straddling the cap lists up to the 1,000th match; a page past it lists none.
    straddling = _get(client, position + "&page=34&per_page=30")
    assert [i["id"] for i in straddling["items"]] == ranked[990:1000]
    beyond = _get(client, position + "&page=11&per_page=100")
    assert (beyond["items"], beyond["total"], beyond["total_capped"]) == ([], 1000, True)


def test_exactly_1000_matches_are_counted_exactly_without_the_cap_flag(client, db, geo_mode):
    _insert(1000)
    body = _get(client, f"lat={HOME[0]}&lng={HOME[1]}&page=10&per_page=100")
    assert body["total"] == 1000 and "total_capped" not in body
    assert [i["id"] for i in body["items"]] == _reference_order()[900:]
    beyond = _get(client, f"lat={HOME[0]}&lng={HOME[1]}&page=11&per_page=100")
    assert (beyond["items"], beyond["total"]) == ([], 1000) and "total_capped" not in beyond


def test_listing_by_name_caps_its_total_too(client, db):
    _insert(1001)
    body = _get(client, "q=托育园&page=10&per_page=100")
    assert (body["total"], body["total_capped"], len(body["items"])) == (1000, True, 100)
    assert body["items"][-1]["name"] == "石柱托育园00999"
    beyond = _get(client, "q=托育园&page=11&per_page=100")
    assert (beyond["items"], beyond["total"], beyond["total_capped"]) == ([], 1000, True)


def test_nurseries_at_one_point_page_in_id_order_across_every_page(client, db, geo_mode):
    """Equal distances are ties: each page continues the id order (the KNN scan on
    PostgreSQL returns ties in no set order; search must still cut pages by id)."""
    _insert(30, spread_deg=0.001, seed=2)
    _insert(45, same_point=True)
    listed = []
    for page in range(1, 13):  # 75 nurseries, 7 a page: the 12th page is empty
        listed += [i["id"] for i in _get(
            client, f"lat={HOME[0]}&lng={HOME[1]}&page={page}&per_page=7")["items"]]
    assert listed == _reference_order()


def test_the_openapi_document_lists_total_capped(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = spec["components"]["schemas"]["NurserySearchPage"]
    assert page["properties"]["total_capped"]["type"] == "boolean"
    assert "total_capped" not in page.get("required", [])
