"""Parent search with offers: care types, prices, vacancy on a date, the child's age."""

from __future__ import annotations

from parentapp.service_settings import offer_minutes
from parentapp.services.nurseries.search import offer_summaries
from parentapp.timeutil import add_months
from tests.booking_factories import fill, in_days, make_offering, make_slot
from tests.factories import make_child, make_nursery, make_user
from tests.sqlcount import count_statements

URL = "/api/v1/nurseries"


def items(client, query="", headers=None):
    response = client.get(f"{URL}?{query}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return {item["id"]: item for item in response.get_json()["items"]}


def test_search_shows_care_types_and_prices_from_the_offerings(client):
    nursery = make_nursery()
    make_offering(nursery, "hourly", price_fen=3000)
    make_offering(nursery, "full_day", price_fen=16000)
    item = items(client)[nursery.id]
    assert item["care_types"] == ["full_day", "hourly"]
    assert item["min_price_fen"] == {"full_day": 16000, "hourly": 3000}
    assert item["has_vacancy"] is None


def test_care_type_keeps_only_nurseries_offering_it(client):
    day_care, hourly_only = make_nursery(), make_nursery()
    make_offering(day_care, "full_day")
    make_offering(hourly_only, "hourly")
    assert set(items(client, "care_type=full_day")) == {day_care.id}


def test_has_vacancy_on_a_date_comes_from_bookable_slots(client):
    free, full, closed, no_slots = (make_nursery() for _ in range(4))
    for nursery in (free, full, closed, no_slots):
        make_offering(nursery, "full_day")
    day = in_days(5)
    make_slot(free, day=day, capacity=2)
    fill(make_slot(full, day=day, capacity=1))
    make_slot(closed, day=day, status="closed")
    found = items(client, f"care_type=full_day&date={day.isoformat()}")
    assert {nid: item["has_vacancy"] for nid, item in found.items()} == {
        free.id: True, full.id: False, closed.id: False, no_slots.id: False}
    too_early = items(client, f"care_type=full_day&date={in_days(70).isoformat()}")
    assert {item["has_vacancy"] for item in too_early.values()} == {False}


def test_the_child_filter_keeps_nurseries_taking_the_childs_age(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=add_months(in_days(0), -20))
    babies, toddlers, older, none = (make_nursery() for _ in range(4))
    make_offering(babies, "full_day", age_min_months=6, age_max_months=18)
    make_offering(toddlers, "full_day", age_min_months=18, age_max_months=36)
    make_offering(older, "half_day", age_min_months=24, age_max_months=36)
    make_offering(older, "hourly", age_min_months=12, age_max_months=36)
    assert set(items(client, f"child_id={child.id}", headers)) == {toddlers.id, older.id}
    only_half = items(client, f"child_id={child.id}&care_type=half_day", headers)
    assert set(only_half) == set()
    later = in_days(150).isoformat()  # 25 months old by then
    assert set(items(client, f"child_id={child.id}&care_type=half_day&date={later}",
                     headers)) == {older.id}
    assert none.id not in items(client, f"child_id={child.id}", headers)


def test_the_detail_page_lists_the_offerings(client):
    nursery = make_nursery()
    make_offering(nursery, "temporary", price_fen=20000)
    make_offering(nursery, "full_day", price_fen=15000, age_min_months=6)
    body = client.get(f"{URL}/{nursery.id}").get_json()
    assert [o["care_type"] for o in body["offerings"]] == ["full_day", "temporary"]
    assert body["offerings"][0] == {
        "care_type": "full_day", "price_fen": 15000, "age_min_months": 6,
        "age_max_months": 36, "book_ahead_days": 62, "min_notice_hours": 12,
        "cancel_cutoff_hours": 24}


def test_offer_facts_cost_the_same_for_one_or_twenty_nurseries(db):
    counts = []
    day = in_days(4)
    for size in (1, 20):
        nurseries = [make_nursery() for _ in range(size)]
        for nursery in nurseries:
            make_offering(nursery, "full_day")
            make_slot(nursery, day=day)
        child = make_child(make_user())
        ids = [n.id for n in nurseries]
        db.session.commit()
        with count_statements() as statements:
            facts = offer_summaries(ids, care_type="full_day", day=day, child=child,
                                    offer_minutes=offer_minutes())
        assert all(f.has_vacancy and f.matches for f in facts.values())
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5, counts
