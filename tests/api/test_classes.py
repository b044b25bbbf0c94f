from datetime import time, timedelta

import pytest

from parentapp.models import utcnow
from parentapp.timeutil import local_instant, local_today
from tests.asserts import assert_error
from tests.factories import make_class, make_enrollment
from tests.sqlcount import count_statements

URL = "/api/v1/classes"
TODAY = local_today(utcnow())
CONTRACT_KEYS = {"id", "title", "kind", "township", "venue", "starts_at", "ends_at", "capacity",
                 "enrolled", "remaining", "waitlist_length", "status"}


def on_day(days: int, hour: int = 9, **overrides):
    starts = local_instant(TODAY + timedelta(days=days), time(hour))
    fields = {"starts_at": starts, "ends_at": starts + timedelta(hours=2),
              "enroll_deadline": min(starts, utcnow()) if days < 0 else starts}
    fields.update(overrides)
    return make_class(**fields)


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_anyone_lists_upcoming_classes_with_counts(client):
    cls = on_day(3, capacity=2)
    make_enrollment(cls)
    make_enrollment(cls)
    make_enrollment(cls, status="waitlisted")
    make_enrollment(cls, status="left")
    response = client.get(URL)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)
    item = body["items"][0]
    assert set(item) >= CONTRACT_KEYS
    assert (item["capacity"], item["enrolled"], item["remaining"], item["waitlist_length"]) == (
        2, 2, 0, 1)
    assert item["status"] == "scheduled" and item["distance_m"] is None
    assert {"lat", "lng", "enroll_deadline", "child_age_min_months", "child_age_max_months",
            "description"} <= set(item)


def test_the_list_starts_today_by_default_and_is_sorted_by_start(client):
    later, sooner = on_day(5), on_day(1)
    this_morning = on_day(0, hour=0)
    on_day(-1)  # yesterday: not listed unless asked
    assert ids(client.get(URL)) == [this_morning.id, sooner.id, later.id]


def test_dates_are_local_days_of_the_start_both_ends_included(client):
    first, second, third = on_day(1, hour=0), on_day(2, hour=23), on_day(3, hour=0)
    yesterday = on_day(-1)
    query = {"from": (TODAY + timedelta(days=1)).isoformat(),
             "to": (TODAY + timedelta(days=2)).isoformat()}
    assert ids(client.get(URL, query_string=query)) == [first.id, second.id]
    past = {"from": (TODAY - timedelta(days=1)).isoformat()}
    assert ids(client.get(URL, query_string=past)) == [yesterday.id, first.id, second.id,
                                                        third.id]


def test_filters_by_township_and_kind(client):
    nanbin = on_day(1)
    huangshui = on_day(2, township="500240103", lat=30.23, lng=108.4, kind="parent_child")
    assert ids(client.get(URL, query_string={"township": "500240103"})) == [huangshui.id]
    assert ids(client.get(URL, query_string={"kind": "parent_class"})) == [nanbin.id]


def test_a_position_sorts_by_distance_and_shows_it(client):
    near_later = on_day(5, lat=30.0, lng=108.115)
    far_sooner = on_day(1, township="500240100", lat=30.39, lng=108.19)
    middle = on_day(2, township="500240101", lat=30.08, lng=108.15)
    response = client.get(URL, query_string={"lat": 30.0, "lng": 108.114})
    assert ids(response) == [near_later.id, middle.id, far_sooner.id]
    distances = [item["distance_m"] for item in response.get_json()["items"]]
    assert distances[0] < 200
    assert 9_000 < distances[1] < 10_500  # about 0.08° north and 0.036° east
    assert 43_000 < distances[2] < 45_000


def test_cancelled_and_completed_statuses_are_computed(client):
    cancelled = on_day(1, cancelled_at=utcnow())
    start = utcnow() - timedelta(hours=3)
    ended = make_class(starts_at=start, ends_at=start + timedelta(hours=1),
                       enroll_deadline=start)
    items = client.get(URL, query_string={"from": (TODAY - timedelta(days=1)).isoformat()})
    by_id = {item["id"]: item for item in items.get_json()["items"]}
    assert by_id[cancelled.id]["status"] == "cancelled"
    assert by_id[ended.id]["status"] == "completed"
    assert by_id[cancelled.id]["enrollment_open"] is False


def test_a_page_costs_the_same_statements_whatever_its_size(client, db):
    for day in range(1, 4):
        cls = on_day(day)
        make_enrollment(cls)
        make_enrollment(cls, status="waitlisted")
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as few:
        assert len(ids(client.get(URL, query_string={"lat": 30.0, "lng": 108.1}))) == 3
    for day in range(4, 16):
        cls = on_day(day)
        make_enrollment(cls)
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as many:
        assert len(ids(client.get(URL, query_string={"lat": 30.0, "lng": 108.1}))) == 15
    assert len(few) == len(many) <= 4


@pytest.mark.parametrize(("query", "field"), [
    ({"lat": 30.0}, "lng"),
    ({"lng": 108.1}, "lat"),
    ({"lat": 91, "lng": 108.1}, "lat"),
    ({"lat": "x", "lng": 108.1}, "lat"),
    ({"per_page": 101}, "per_page"),
    ({"page": 0}, "page"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
    ({"township": "000"}, "township"),
    ({"kind": "x"}, "kind"),
])
def test_bad_list_queries_are_rejected(client, query, field):
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]


def test_one_class_reads_alike_and_shows_the_parents_own_entry(client, auth):
    cls = on_day(2, capacity=1)
    make_enrollment(cls)
    parent, headers = auth.parent()
    mine = make_enrollment(cls, parent, status="waitlisted")
    anonymous = client.get(f"{URL}/{cls.id}").get_json()
    assert anonymous["my_enrollment"] is None and anonymous["waitlist_length"] == 1
    body = client.get(f"{URL}/{cls.id}", headers=headers).get_json()
    assert body["my_enrollment"] == {"id": mine.id, "status": "waitlisted", "position": 1,
                                     "child_id": None}
    _, staff_headers = auth.operator()
    assert client.get(f"{URL}/{cls.id}", headers=staff_headers).get_json()[
        "my_enrollment"] is None


def test_an_unknown_class_is_not_found(client):
    response = client.get(f"{URL}/424242")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.get(f"{URL}/99999999999999999999999")
    assert_error(response, 404, "not_found")


def test_a_bad_token_on_the_public_detail_is_refused(client):
    cls = on_day(2)
    response = client.get(f"{URL}/{cls.id}", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
