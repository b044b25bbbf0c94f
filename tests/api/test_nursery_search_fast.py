"""The search page's hand-built JSON (schemas.nursery_search.nursery_list_item) is what its
documented schema dumps for the same results, for every kind of query."""

from __future__ import annotations

import pytest

from parentapp import service_settings
from parentapp.models import utcnow
from parentapp.schemas.nursery_search import NurserySearchPageSchema, NurserySearchQuerySchema
from parentapp.services.nurseries import search
from tests.booking_factories import in_days, make_offering, make_slot
from tests.factories import bearer, make_child, make_nursery, make_user

HOME = (29.999, 108.114)


@pytest.fixture
def varied(db):
    """Nurseries near and far, inclusive or not, with and without offerings and places."""
    made = []
    for n in range(6):
        nursery = make_nursery(lat=HOME[0] + n * 0.004, lng=HOME[1] - n * 0.003,
                               inclusive=n % 2 == 0, kind=("nursery", "kindergarten_class",
                                                           "employer")[n % 3],
                               open_to_public=True)
        if n % 3 != 2:
            make_offering(nursery, "full_day", price_fen=150000 + n * 1000)
        if n % 2:
            make_offering(nursery, "hourly", price_fen=3000)
            make_slot(nursery, "hourly", in_days(3), capacity=2 - n % 3)
        made.append(nursery)
    make_nursery(lat=HOME[0], lng=HOME[1], filing_status="pending")
    db.session.commit()
    return made


QUERIES = [
    f"lat={HOME[0]}&lng={HOME[1]}",
    f"lat={HOME[0]}&lng={HOME[1]}&radius_km=50&per_page=2&page=2",
    f"lat={HOME[0]}&lng={HOME[1]}&care_type=hourly&date={in_days(3).isoformat()}",
    f"lat={HOME[0]}&lng={HOME[1]}&inclusive=true&township=500240001",
    "q=南宾",
    "per_page=3&page=2",
    f"lat={HOME[0]}&lng={HOME[1]}&page=9",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_fast_page_is_the_schema_dump(client, varied, query):
    response = client.get(f"/api/v1/nurseries?{query}")
    assert response.status_code == 200, response.get_json()
    args = NurserySearchQuerySchema().load(dict(p.split("=", 1) for p in query.split("&")))
    expected = NurserySearchPageSchema().dump(search.search_nurseries(
        now=utcnow(), viewer_id=None, **args, offer_minutes=service_settings.offer_minutes()))
    assert response.get_json() == expected


def test_the_fast_page_with_a_child_is_the_schema_dump(client, varied, db):
    parent = make_user("parent")
    child = make_child(parent)
    db.session.commit()
    response = client.get(f"/api/v1/nurseries?lat={HOME[0]}&lng={HOME[1]}&child_id={child.id}",
                          headers=bearer(parent))
    assert response.status_code == 200, response.get_json()
    expected = NurserySearchPageSchema().dump(search.search_nurseries(
        now=utcnow(), viewer_id=parent.id, lat=HOME[0], lng=HOME[1], radius_km=5,
        child_id=child.id, page=1, per_page=20,
        offer_minutes=service_settings.offer_minutes()))
    assert response.get_json() == expected and expected["items"]
