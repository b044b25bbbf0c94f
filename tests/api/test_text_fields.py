"""Names and free text: one rule (trimmed, no control characters, not only invisible
characters) on every endpoint that takes them, with the same answer on every database."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import Child, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.nurseries.credit_code import with_check
from parentapp.timeutil import local_instant, local_today, to_local_iso
from tests.asserts import assert_error

CONTROL = "不能包含控制字符。"
INVISIBLE = "不能只有空白或不可见字符。"

CONTROLS = [
    ("NUL", "小\x00明"), ("C0 start of heading", "小\x01明"), ("unit separator", "小\x1f明"),
    ("escape", "\x1b[31m小明"), ("DEL", "小明\x7f"), ("C1 next line", "小\x85明"),
    ("C1 CSI", "小\x9b明"), ("line separator", "小\u2028明"), ("paragraph separator", "小\u2029明"),
    ("right-to-left override", "小\u202e明"), ("left-to-right embedding", "\u202a小明"),
    ("first strong isolate", "小\u2068明"), ("pop directional isolate", "小明\u2069"),
]
ONLY_INVISIBLE = [
    ("zero-width space", "\u200b"), ("zero-width non-joiner", "\u200c"),
    ("zero-width joiner", "\u200d"), ("byte order mark", "\ufeff"), ("word joiner", "\u2060"),
    ("ideographic space", "\u3000"), ("spaces and a tab", " \t "),
    ("hangul filler", "\u3164"), ("mixed invisibles", " \u200b\u00a0\u2060\ufeff "),
]

START = local_today(utcnow()) + timedelta(days=10)


def _class_body() -> dict:
    start = local_instant(START, time(9, 30))
    return {"title": "婴幼儿辅食添加家长课堂", "kind": "parent_class", "township": "500240001",
            "venue": "南宾街道社区卫生服务中心二楼", "lat": 30.0, "lng": 108.11,
            "starts_at": to_local_iso(start), "ends_at": to_local_iso(start + timedelta(hours=2)),
            "capacity": 30, "enroll_deadline": to_local_iso(start - timedelta(days=1))}


NURSERY = {
    "name": "南宾街道小星星托育中心", "address": "南宾街道万寿大道 88 号", "township": "500240001",
    "lat": 29.9995, "lng": 108.1152, "phone": "13812345678", "kind": "nursery",
    "inclusive": True, "licensed_places": 60,
    "opening_hours": {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"],
                      "pm": ["14:00", "17:30"]},
    "registration_type": "for_profit", "credit_code": with_check("91500240000000123"),
    "description": "招收 6 个月至 3 岁婴幼儿。", "open_to_public": True,
}
CHILD = {"name": "小明", "birth_date": "2025-01-01", "gender": "male"}
OPERATOR = {"username": "op-text", "password": "long-enough-1", "phone": "13812345678",
            "name": "张老师"}

# (name, role, method, url, body without the field, field, multiline free text)
ENDPOINTS = [
    ("child name", "parent", "POST", "/api/v1/children", CHILD, "name", False),
    ("child rename", "parent", "PATCH", "/api/v1/children/{child}", {}, "name", False),
    ("nickname", "parent", "PATCH", "/api/v1/me", {}, "nickname", False),
    ("booking note", "parent", "POST", "/api/v1/bookings", {"child_id": 1, "slot_ids": [1]},
     "note", True),
    ("nursery name", "operator", "POST", "/api/v1/operator/nurseries", NURSERY, "name", False),
    ("nursery address", "operator", "POST", "/api/v1/operator/nurseries", NURSERY, "address",
     False),
    ("nursery description", "operator", "POST", "/api/v1/operator/nurseries", NURSERY,
     "description", True),
    ("slot closing reason", "operator", "PATCH", "/api/v1/operator/slots/1",
     {"status": "closed"}, "reason", True),
    ("class title", "regulator", "POST", "/api/v1/organizer/classes", "class", "title", False),
    ("class venue", "regulator", "POST", "/api/v1/organizer/classes", "class", "venue", False),
    ("class description", "regulator", "POST", "/api/v1/organizer/classes", "class",
     "description", True),
    ("class cancel reason", "regulator", "POST", "/api/v1/organizer/classes/1/cancel", {},
     "reason", True),
    ("filing number", "regulator", "POST", "/api/v1/admin/filings/1/approve", {}, "filing_no",
     False),
    ("filing rejection reason", "regulator", "POST", "/api/v1/admin/filings/1/reject", {},
     "reason", True),
    ("operator name", None, "POST", "/api/v1/auth/register-operator", OPERATOR, "name", False),
    ("operator username", None, "POST", "/api/v1/auth/register-operator", OPERATOR, "username",
     False),
    ("login username", None, "POST", "/api/v1/auth/login", {"password": "x"}, "username", False),
]


def _send(client, auth, endpoint, value):
    _, role, method, url, body, field, _ = endpoint
    headers = {"Idempotency-Key": "text-fields"}
    if role is not None:
        user, token = getattr(auth, role)()
        headers.update(token)
        if "{child}" in url:
            child = guarded_by(user, Child(
                name="小明", birth_date=local_today(utcnow()) - timedelta(days=100),
                gender="male", created_at=utcnow()))
            db.session.add(child)
            db.session.commit()
            url = url.format(child=child.id)
    body = _class_body() if body == "class" else dict(body)
    return client.open(url, method=method, headers=headers, json={**body, field: value})


def _ids(rows):
    return [row[0] for row in rows]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids(ENDPOINTS))
@pytest.mark.parametrize(("case", "value"), CONTROLS, ids=_ids(CONTROLS))
def test_control_characters_are_refused_on_the_field(client, auth, endpoint, case, value):
    response = _send(client, auth, endpoint, value)
    error = assert_error(response, 422, "validation_error")
    assert CONTROL in error["details"][endpoint[5]]


ONE_LINE = [e for e in ENDPOINTS if not e[6]]


@pytest.mark.parametrize("endpoint", ONE_LINE, ids=_ids(ONE_LINE))
@pytest.mark.parametrize("value", ["小\n明", "小\t明", "小\r明"])
def test_names_are_one_line(client, auth, endpoint, value):
    error = assert_error(_send(client, auth, endpoint, value), 422, "validation_error")
    assert CONTROL in error["details"][endpoint[5]]


NOT_BLANK = [e for e in ENDPOINTS if e[5] not in {"description", "note", "reason"}
             or e[0] in {"slot closing reason", "filing rejection reason"}]


@pytest.mark.parametrize("endpoint", NOT_BLANK, ids=_ids(NOT_BLANK))
@pytest.mark.parametrize(("case", "value"), ONLY_INVISIBLE, ids=_ids(ONLY_INVISIBLE))
def test_a_value_of_only_invisible_characters_is_refused(client, auth, endpoint, case, value):
    error = assert_error(_send(client, auth, endpoint, value), 422, "validation_error")
    assert INVISIBLE in error["details"][endpoint[5]]


def test_a_child_name_is_trimmed_of_whitespace_and_invisible_edges(client, auth):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers,
                           json={**CHILD, "name": "\u200b\u3000 小 明\u00a0\ufeff"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "小 明"
    assert db.session.get(Child, response.get_json()["id"]).name == "小 明"


@pytest.mark.parametrize(("name", "status"), [
    ("  " + "张" * 20 + "  ", 201),  # 20 after trimming: within 1 to 20
    ("张" * 21, 422),
])
def test_length_bounds_count_after_trimming(client, auth, name, status):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={**CHILD, "name": name})
    assert response.status_code == status


def test_a_name_with_a_zero_width_joiner_inside_is_kept(client, auth):
    """ZWJ joins emoji sequences; only a name of nothing else is refused."""
    _, headers = auth.parent()
    name = "小明\U0001f468\u200d\U0001f469"
    response = client.post("/api/v1/children", headers=headers, json={**CHILD, "name": name})
    assert response.status_code == 201
    assert response.get_json()["name"] == name


def test_free_text_keeps_line_breaks_and_tabs(client, auth):
    _, headers = auth.regulator()
    body = {**_class_body(), "description": "  第一行\r\n\t第二行  "}
    response = client.post("/api/v1/organizer/classes", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"] == "第一行\n\t第二行"


def test_blank_free_text_is_stored_as_empty(client, auth):
    _, headers = auth.regulator()
    body = {**_class_body(), "description": " \u200b\n "}
    response = client.post("/api/v1/organizer/classes", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"] == ""


def test_a_nul_in_a_child_name_stores_nothing(client, auth):
    """The issue's case: stored on SQLite, a detail-less 422 on PostgreSQL; now the same 422."""
    parent, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={**CHILD, "name": "a\x00b"})
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"name": [CONTROL]}
    assert db.session.get(User, parent.id).children == []


def test_a_username_with_a_newline_inside_is_refused(client):
    response = client.post("/api/v1/auth/register-operator",
                           json={**OPERATOR, "username": "op\ntext"})
    error = assert_error(response, 422, "validation_error")
    assert "username" in error["details"]


@pytest.mark.parametrize("phone", ["138\n12345678", "1٣812345678"])
def test_a_phone_number_is_ascii_digits_only(client, phone):
    response = client.post("/api/v1/auth/register-operator", json={**OPERATOR, "phone": phone})
    error = assert_error(response, 422, "validation_error")
    assert "phone" in error["details"]
