"""X-Request-ID on every response, and one JSON access line per request without secrets."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import datetime, timedelta

import pytest

from parentapp import create_app, logs
from parentapp.extensions import db

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """The JSON lines written while the test runs, as the production handler writes them."""
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    root, access = logging.getLogger(), logging.getLogger("parentapp.access")
    previous = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        access.setLevel(previous)


def _access(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "parentapp.access"]


def test_a_sane_request_id_is_echoed(client):
    response = client.get("/api/v1/meta", headers={"X-Request-ID": "lb-7f3a.9_Z"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "lb-7f3a.9_Z"


def test_a_request_without_an_id_gets_a_new_one_each_time(client):
    first = client.get("/api/v1/meta").headers["X-Request-ID"]
    second = client.get("/api/v1/meta").headers["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


@pytest.mark.parametrize("given", ["", " ", "a" * 65, "has space", "semi;colon", "中文",
                                   "new\\nline", "a/b"])
def test_an_invalid_request_id_is_replaced(client, given):
    response = client.get("/api/v1/meta", headers={"X-Request-ID": given})
    assert NEW_ID.fullmatch(response.headers["X-Request-ID"])


def test_the_longest_sane_id_is_kept(client):
    given = "a" * 64
    assert client.get("/api/v1/meta", headers={"X-Request-ID": given}
                      ).headers["X-Request-ID"] == given


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("GET", "/api/v1/no-such-thing", {}, 404),
    ("GET", "/nowhere", {}, 404),
    ("GET", "/api/v1/me", {}, 401),
    ("POST", "/api/v1/auth/wechat-login", {"data": "{", "content_type": "application/json"}, 400),
    ("POST", "/api/v1/auth/wechat-login", {"json": {}}, 422),
])
def test_errors_and_404s_echo_the_request_id(client, method, path, kwargs, status):
    response = client.open(path, method=method, headers={"X-Request-ID": "err-1"}, **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"]
    assert response.headers["X-Request-ID"] == "err-1"


def test_an_unexpected_error_echoes_the_request_id(client, monkeypatch):
    from parentapp.api import meta

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(meta, "list_townships", broken)
    response = client.get("/api/v1/meta", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "boom-1"


def test_one_json_access_line_per_request_in_one_time_zone(client, log_lines):
    client.get("/api/v1/meta?x=1", headers={"X-Request-ID": "trace-1"})
    client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "trace-2"})
    lines = _access(log_lines())
    assert [(line["request_id"], line["status"]) for line in lines] == [
        ("trace-1", 200), ("trace-2", 404)]
    first = lines[0]
    assert {key: first[key] for key in ("level", "method", "path", "user_id")} == {
        "level": "INFO", "method": "GET", "path": "/api/v1/meta", "user_id": None}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert datetime.fromisoformat(first["time"]).utcoffset() == timedelta(hours=8)
    assert first["message"] == "GET /api/v1/meta 200"


def test_a_line_logged_inside_a_request_carries_its_id(client, log_lines, monkeypatch):
    from parentapp.api import meta

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(meta, "list_townships", broken)
    client.get("/api/v1/meta", headers={"X-Request-ID": "inner-1"})
    errors = [line for line in log_lines() if line["logger"] == "parentapp.errors"]
    assert [line["request_id"] for line in errors] == ["inner-1"]
    assert "RuntimeError: boom" in errors[0]["exception"]


def test_the_access_line_has_no_token_phone_or_body(client, auth, log_lines):
    parent, headers = auth.parent()
    token = headers["Authorization"].split()[1]
    client.get(f"/api/v1/me?phone=13812345678&token={token}", headers=headers)
    client.post("/api/v1/me/phone", json={"code": "13812345678", "password": "s3cret-pass"},
                headers=headers)
    raw = "\n".join(json.dumps(line, ensure_ascii=False) for line in log_lines())
    for secret in (token, "13812345678", "s3cret-pass", "phone=", "Bearer"):
        assert secret not in raw
    lines = _access(log_lines())
    assert [(line["path"], line["user_id"]) for line in lines] == [
        ("/api/v1/me", parent.id), ("/api/v1/me/phone", parent.id)]


def test_building_many_apps_keeps_one_log_handler(app):
    for _ in range(3):
        other = create_app({**app.config})
        with other.app_context():
            db.engine.dispose()
    ours = [h for h in logging.getLogger().handlers if h.get_name() == logs.HANDLER_NAME]
    assert len(ours) == 1
