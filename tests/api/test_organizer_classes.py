from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from parentapp.models import ParentingClass, utcnow
from parentapp.timeutil import local_instant, local_today, to_local_iso
from tests.asserts import assert_error
from tests.factories import make_class, make_enrollment, make_nursery, make_user

URL = "/api/v1/organizer/classes"
DAY = local_today(utcnow()) + timedelta(days=10)
START = local_instant(DAY, time(9, 30))


def iso(instant):
    return to_local_iso(instant)


VALID = {
    "title": "婴幼儿辅食添加家长课堂", "kind": "parent_class", "township": "500240001",
    "venue": "南宾街道社区卫生服务中心二楼", "lat": 30.0, "lng": 108.11,
    "starts_at": iso(START), "ends_at": iso(START + timedelta(hours=2)),
    "capacity": 30, "enroll_deadline": iso(START - timedelta(days=1)),
    "child_age_min_months": 6, "child_age_max_months": 24, "description": "讲解辅食添加顺序。",
}


def class_count(db):
    return db.session.scalar(select(func.count()).select_from(ParentingClass))


def test_regulator_publishes_a_class_in_any_township(client, auth, db):
    _, headers = auth.regulator()
    response = client.post(URL, headers=headers, json={**VALID, "township": "500240103",
                                                       "lat": 30.23, "lng": 108.4})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "scheduled"
    assert body["township"] == "500240103"
    assert body["starts_at"] == START.isoformat() and body["starts_at"].endswith("+08:00")
    assert (body["capacity"], body["enrolled"], body["remaining"], body["waitlist_length"]) == (
        30, 0, 30, 0)
    assert body["nursery_id"] is None and body["enrollment_open"] is True
    assert body["child_age_min_months"] == 6 and body["child_age_max_months"] == 24
    assert class_count(db) == 1


def test_operator_publishes_for_an_approved_nursery_of_their_own(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    response = client.post(URL, headers=headers, json={**VALID, "nursery_id": nursery.id})
    assert response.status_code == 201
    assert response.get_json()["nursery_id"] == nursery.id
    assert response.get_json()["organizer_id"] == operator.id


def test_regulator_may_link_a_class_to_an_approved_nursery(client, auth):
    _, headers = auth.regulator()
    nursery = make_nursery()
    response = client.post(URL, headers=headers, json={**VALID, "nursery_id": nursery.id})
    assert response.status_code == 201
    assert response.get_json()["nursery_id"] == nursery.id


@pytest.mark.parametrize("nursery_id", ["left out", None])
def test_an_operator_with_one_approved_nursery_may_leave_it_out(client, auth, nursery_id):
    operator, headers = auth.operator()
    make_nursery(operator, filing_status="pending")
    approved = make_nursery(operator)
    body = VALID if nursery_id == "left out" else {**VALID, "nursery_id": None}
    response = client.post(URL, headers=headers, json=body)
    assert response.status_code == 201
    assert response.get_json()["nursery_id"] == approved.id


@pytest.mark.parametrize(("approved", "problem"), [
    (0, "机构备案通过后才能发布课程。"),
    (2, "您有多家已备案的机构，请选择在哪家机构发布课程。"),
])
def test_an_operator_with_no_or_several_approved_nurseries_must_name_one(client, auth, db,
                                                                         approved, problem):
    operator, headers = auth.operator()
    make_nursery(operator, filing_status="draft")
    for _ in range(approved):
        make_nursery(operator)
    make_nursery(filing_status="approved")  # another operator's does not count
    error = assert_error(client.post(URL, headers=headers, json=VALID), 422, "validation_error")
    assert error["details"] == {"nursery_id": [problem]}
    assert class_count(db) == 0


def test_another_operators_nursery_is_not_found(client, auth, db):
    _, headers = auth.operator()
    someone_elses = make_nursery()
    response = client.post(URL, headers=headers, json={**VALID, "nursery_id": someone_elses.id})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.post(URL, headers=headers, json={**VALID, "nursery_id": 999999})
    assert_error(response, 404, "not_found")
    assert class_count(db) == 0


@pytest.mark.parametrize("filing_status", ["draft", "pending", "rejected", "revoked"])
def test_a_nursery_without_an_approved_filing_cannot_host_classes(client, auth, db,
                                                                  filing_status):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status=filing_status)
    response = client.post(URL, headers=headers, json={**VALID, "nursery_id": nursery.id})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "nursery_id" in response.get_json()["error"]["details"]
    assert class_count(db) == 0


def test_parents_may_not_organise_and_strangers_must_log_in(client, auth):
    _, headers = auth.parent()
    response = client.post(URL, headers=headers, json=VALID)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    response = client.post(URL, json=VALID)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


NOW = utcnow()
PAST = NOW - timedelta(hours=1)


@pytest.mark.parametrize(("field", "value"), [
    ("ends_at", iso(START)),
    ("ends_at", iso(START - timedelta(minutes=1))),
    ("starts_at", iso(PAST)),
    ("starts_at", iso(NOW + timedelta(days=400))),
    ("enroll_deadline", iso(START + timedelta(minutes=1))),
    ("enroll_deadline", iso(PAST)),
    ("capacity", 0),
    ("capacity", 501),
    ("capacity", "十"),
    ("township", "500240999"),
    ("lat", 29.64),
    ("lat", 30.54),
    ("lng", 107.97),
    ("lng", 108.58),
    ("lat", "north"),
    ("child_age_min_months", -1),
    ("child_age_max_months", 73),
    ("child_age_max_months", 5),  # below the minimum of 6
    ("title", ""),
    ("title", "   "),
    ("title", "课" * 41),
    ("venue", ""),
    ("venue", "地" * 61),
    ("description", "文" * 2001),
    ("kind", "lecture"),
    ("starts_at", START.replace(tzinfo=None).isoformat()),  # naive: no offset
    ("ends_at", "2026-13-01T09:00:00+08:00"),
    ("enroll_deadline", "0001-01-01T00:00:00+08:00"),
    ("starts_at", None),
    ("nursery_id", 2**40),
    ("color", "red"),  # unknown field
])
def test_each_rule_is_enforced_on_create(client, auth, db, field, value):
    _, headers = auth.regulator()
    response = client.post(URL, headers=headers, json={**VALID, field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]
    assert class_count(db) == 0


@pytest.mark.parametrize("field", ["title", "kind", "township", "venue", "lat", "lng",
                                   "starts_at", "ends_at", "capacity", "enroll_deadline"])
def test_required_fields(client, auth, db, field):
    _, headers = auth.regulator()
    body = {key: value for key, value in VALID.items() if key != field}
    response = client.post(URL, headers=headers, json=body)
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["details"]
    assert class_count(db) == 0


def test_age_band_and_description_are_optional(client, auth):
    _, headers = auth.regulator()
    body = {key: value for key, value in VALID.items()
            if key not in ("child_age_min_months", "child_age_max_months", "description")}
    response = client.post(URL, headers=headers, json=body)
    assert response.status_code == 201
    assert response.get_json()["child_age_min_months"] is None
    assert response.get_json()["description"] == ""


def test_bounds_are_inclusive(client, auth):
    _, headers = auth.regulator()
    body = {**VALID, "capacity": 500, "lat": 29.65, "lng": 108.57, "child_age_min_months": 0,
            "child_age_max_months": 72, "enroll_deadline": VALID["starts_at"]}
    assert client.post(URL, headers=headers, json=body).status_code == 201
    body = {**VALID, "capacity": 1, "lat": 30.53, "lng": 107.98, "child_age_min_months": 12,
            "child_age_max_months": 12}
    assert client.post(URL, headers=headers, json=body).status_code == 201


def test_organiser_lists_and_reads_their_classes(client, auth):
    operator, headers = auth.operator()
    mine = make_class(operator)
    make_class()  # a regulator's
    listing = client.get(URL, headers=headers).get_json()
    assert [item["id"] for item in listing["items"]] == [mine.id]
    assert listing["total"] == 1
    assert client.get(f"{URL}/{mine.id}", headers=headers).get_json()["id"] == mine.id

    _, regulator_headers = auth.regulator()
    assert client.get(URL, headers=regulator_headers).get_json()["total"] == 2


def test_organiser_list_filters_by_status(client, auth):
    regulator, headers = auth.regulator()
    upcoming = make_class(regulator)
    cancelled = make_class(regulator, cancelled_at=utcnow())
    ended = make_class(regulator, starts_at=utcnow() - timedelta(days=2),
                       ends_at=utcnow() - timedelta(days=2) + timedelta(hours=2),
                       enroll_deadline=utcnow() - timedelta(days=3))
    for status, expected in (("scheduled", upcoming), ("cancelled", cancelled),
                             ("completed", ended)):
        items = client.get(URL, headers=headers, query_string={"status": status}).get_json()
        assert [item["id"] for item in items["items"]] == [expected.id]
        assert items["items"][0]["status"] == status


def test_another_operators_class_is_not_found_anywhere(client, auth):
    owner = make_user("operator")
    cls = make_class(owner)
    entry = make_enrollment(cls)
    _, headers = auth.operator()
    for method, path, body in (
        ("get", f"{URL}/{cls.id}", None),
        ("patch", f"{URL}/{cls.id}", {"capacity": 20}),
        ("post", f"{URL}/{cls.id}/cancel", {}),
        ("get", f"{URL}/{cls.id}/enrollments", None),
        ("post", f"{URL}/{cls.id}/attendance", {"enrollment_ids": [entry.id]}),
    ):
        response = getattr(client, method)(path, headers=headers, json=body)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
