"""Query strings, headers and paths that carry odd strings and extreme dates: a 422 naming
the field (never empty details), never a 500; and a sweep of every documented endpoint."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.timeutil import local_today
from tests.asserts import assert_error
from tests.factories import make_child, make_nursery
from tests.openapi_operations import documented_operations


def test_a_search_date_before_the_childs_birth_names_the_date(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    day = child.birth_date - timedelta(days=1)
    response = client.get(f"/api/v1/nurseries?child_id={child.id}&date={day}", headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"date": ["日期不能早于孩子的出生日期。"]}


def test_a_search_on_the_birth_date_itself_is_answered(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = client.get(f"/api/v1/nurseries?child_id={child.id}&date={child.birth_date}",
                          headers=headers)
    assert response.status_code == 200


EXTREME_DATES = [
    ("/api/v1/classes?from=0001-01-01&to=9999-12-31", None, {"from", "to"}),
    ("/api/v1/classes?from=9999-12-31", None, {"from"}),
    ("/api/v1/classes?to=9999-12-31", None, {"to"}),
    ("/api/v1/classes?from=1899-12-31", None, {"from"}),
    ("/api/v1/nurseries?date=9999-12-31&care_type=full_day", None, {"date"}),
    ("/api/v1/nurseries?date=0001-01-01&care_type=full_day", None, {"date"}),
    ("/api/v1/organizer/classes?from=0001-01-01&to=9999-12-31", "regulator", {"from", "to"}),
    ("/api/v1/bookings?from=0001-01-01&to=9999-12-31", "parent", {"from", "to"}),
]


@pytest.mark.parametrize(("url", "role", "fields"), EXTREME_DATES)
def test_extreme_dates_in_query_strings_name_their_field(client, auth, url, role, fields):
    headers = getattr(auth, role)()[1] if role else {}
    error = assert_error(client.get(url, headers=headers), 422, "validation_error")
    assert set(error["details"]) == fields
    assert all(problems == ["日期应在 1900 到 2999 年之间。"]
               for problems in error["details"].values())


def test_dates_at_the_edges_of_the_range_are_answered(client):
    response = client.get("/api/v1/classes?from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200


@pytest.mark.parametrize("q", ["%00", "a%00b", "%1B%5B31m", "%E2%80%AE"])
def test_a_search_term_with_control_characters_is_refused_on_q(client, q):
    error = assert_error(client.get(f"/api/v1/nurseries?q={q}"), 422, "validation_error")
    assert error["details"] == {"q": ["不能包含控制字符。"]}


@pytest.mark.parametrize("q", ["%ED%A0%80", "%FF%FE", "%C0%AF", "%E7%9F%B3%E6%9F%B1"])
def test_a_search_term_of_odd_bytes_is_answered(client, q):
    """Undecodable bytes arrive as U+FFFD (werkzeug decodes with replacement)."""
    response = client.get(f"/api/v1/nurseries?q={q}")
    assert response.status_code == 200
    assert response.get_json()["items"] == []


@pytest.mark.parametrize("key", ["k\x00y", "\xff\xfe", "caf\xe9", "tab\there", "\x7f"])
def test_an_idempotency_key_of_odd_bytes_is_refused_on_the_header(client, auth, key):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = client.post("/api/v1/bookings", headers={**headers, "Idempotency-Key": key},
                           json={"child_id": child.id, "slot_ids": [1]})
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"Idempotency-Key": ["只能包含可见的 ASCII 字符。"]}


ODD_SEGMENTS = ["%00", "%ED%A0%80", "a%00b", "%FF", "%E2%80%AE"]


@pytest.mark.parametrize("segment", ODD_SEGMENTS)
def test_odd_bytes_in_a_string_path_segment_are_not_found(client, auth, segment):
    parent, parent_headers = auth.parent()
    child = make_child(parent)
    operator, operator_headers = auth.operator()
    nursery = make_nursery(operator)
    _, regulator_headers = auth.regulator()
    for method, url, headers, body in [
        ("DELETE", f"/api/v1/children/{child.id}/health-records/{segment}", parent_headers,
         None),
        ("PUT", f"/api/v1/operator/nurseries/{nursery.id}/offerings/{segment}",
         operator_headers, {"price_fen": 100}),
        ("PUT", f"/api/v1/admin/townships/{segment}", regulator_headers, {"population": 100}),
    ]:
        response = client.open(url, method=method, headers=headers, json=body)
        db.session.rollback()
        assert_error(response, 404, "not_found")


# The sweep: every documented operation, as the first role it lets in, with each query
# parameter and each body field alone set to one bad value. No 5xx but the contract's
# 503s; every 422 says what is wrong. One at a time, so another field's error cannot
# hide a detail-less 422 (``to=9999-12-31`` alone once overflowed into one).
BAD_VALUES = ["\x00", "a\u202eb", "\u200b", "9999-12-31", "0001-01-01", "x" * 300,
              10**25, 1e308]


def _operations(client) -> list[tuple[str, str, list[str], list[str]]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return documented_operations(spec)


def _first_role_let_in(client, method, url, tokens) -> dict:
    for headers in tokens:
        if client.open(url, method=method, headers=headers).status_code not in {401, 403}:
            return headers
    return tokens[0]


def _inputs(query_names, body_fields):
    for value in BAD_VALUES:
        text = value if isinstance(value, str) else str(value)
        for name in query_names:
            yield f"{name}={quote(text)}", None, value
        for name in body_fields:
            yield "", {name: value}, value


def test_every_422_of_the_api_has_details(client, auth):
    parent, parent_headers = auth.parent()
    child = make_child(parent)
    tokens = [{}, parent_headers, auth.operator()[1], auth.regulator()[1]]
    db.session.commit()
    seen_422, problems = 0, []
    for method, path, query_names, body_fields in _operations(client):
        url = re.sub(r"\{[^}]+\}", str(child.id), path)
        headers = {**_first_role_let_in(client, method, url, tokens), "Idempotency-Key": "sweep"}
        db.session.rollback()
        for query, body, _value in _inputs(query_names, body_fields):
            response = client.open(url, method=method, query_string=query, headers=headers,
                                   json=body if method in {"POST", "PUT", "PATCH"} else None)
            db.session.rollback()
            status = response.status_code
            if status >= 500 and status != 503:
                problems.append((method, url, query, body, status))
            if status == 422:
                seen_422 += 1
                details = response.get_json()["error"]["details"]
                if not details or not all(details.values()):
                    problems.append((method, url, query, body, details))
    assert problems == []
    assert seen_422 > 500  # the sweep reached the schemas, not only the auth checks


def test_the_childs_age_is_never_computed_before_birth(client, auth):
    """A child born today, searched for today: age 0, not an error."""
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=local_today(utcnow()))
    response = client.get(f"/api/v1/nurseries?child_id={child.id}", headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["Bearer \x00", "Bearer \xff\xfe", "Bearer " + "x" * 5000,
                                   "\x00", "Basic \xe9"])
def test_an_authorization_header_of_odd_bytes_is_unauthorized(client, value):
    response = client.get("/api/v1/me", headers={"Authorization": value})
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("code", ["\x00", "a\u202eb", "\u200b", "x" * 128])
def test_a_wechat_login_code_of_odd_characters_is_refused_not_a_500(client, fake, code):
    response = client.post("/api/v1/auth/wechat-login", json={"code": code})
    assert response.status_code in {401, 422}, response.get_json()
