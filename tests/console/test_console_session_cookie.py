"""The console's cookie: safe attributes in production, a server-side session reference
that is no bearer token, useless once the session ends."""

from __future__ import annotations

import re

import pytest

from parentapp import create_app
from parentapp.domain import TokenKind
from parentapp.extensions import db
from parentapp.models import AuthToken
from tests.console.console_helpers import PASSWORD, csrf, signed_in_client, staff
from tests.factories import bearer

HTTPS = "https://console.example"
PRODUCTION_KEY = "production-secret-key-0123456789-abcdefghijkl"


@pytest.fixture
def production_app(app, monkeypatch):
    """The app as production builds it from the environment, on the test database."""
    monkeypatch.setenv("PARENTAPP_ENV", "production")
    monkeypatch.setenv("PARENTAPP_SECRET_KEY", PRODUCTION_KEY)

    def build(**overrides):
        return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           **overrides})

    built = []
    yield lambda **overrides: built.append(build(**overrides)) or built[-1]
    for each in built:
        with each.app_context():
            db.engine.dispose()


def _login_cookie_header(app) -> str:
    client = app.test_client()
    username = staff("regulator").username
    db.session.commit()  # SQLite: never hold the write lock while another app's request runs
    page = client.get("/console/login", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/console/login", base_url=HTTPS, data={
        "csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status_code == 302
    [cookie] = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    return cookie


def _attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_production_cookie_is_secure_http_only_and_same_site_lax(production_app):
    attributes = _attributes(_login_cookie_header(production_app()))
    assert {"secure", "httponly", "samesite=lax"} <= attributes


def test_an_explicit_setting_still_wins_over_the_production_default(production_app):
    attributes = _attributes(_login_cookie_header(production_app(SESSION_COOKIE_SECURE=False)))
    assert "secure" not in attributes and {"httponly", "samesite=lax"} <= attributes


def test_outside_production_the_cookie_is_http_only_and_lax_but_not_secure(app):
    attributes = _attributes(_login_cookie_header(app))
    assert "secure" not in attributes and {"httponly", "samesite=lax"} <= attributes


def _decoded(app, client) -> dict:
    value = client.get_cookie("session").value
    return app.session_interface.get_signing_serializer(app).loads(value)


def test_the_cookie_holds_a_console_session_reference_the_api_refuses(app, client):
    signed_in_client(client, "regulator")
    session = _decoded(app, client)
    assert set(session) <= {"csrf", "session_ref"} and "session_ref" in session
    assert db.session.scalars(db.select(AuthToken.kind)).all() == [TokenKind.CONSOLE]
    for value in session.values():  # nothing in the cookie opens the API
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401


def test_a_stolen_cookie_is_useless_after_logout(app, client):
    signed_in_client(client, "operator")
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/console/").status_code == 200  # the theft works while signed in
    assert client.post("/console/logout",
                       data={"csrf_token": csrf(client, "/console/")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_a_password_change_ends_the_other_console_sessions(app, client):
    user = signed_in_client(client, "operator")
    other = app.test_client()
    other.post("/console/login", data={"csrf_token": csrf(other), "username": user.username,
                                       "password": PASSWORD})
    assert other.get("/console/").status_code == 200
    response = client.post("/console/password", data={
        "csrf_token": csrf(client, "/console/password"), "old_password": PASSWORD,
        "new_password": "a-new-password-9", "confirm_password": "a-new-password-9"})
    assert response.status_code == 302
    assert other.get("/console/").status_code == 302
    assert client.get("/console/").status_code == 200


def test_an_api_bearer_token_does_not_open_a_console_session(app, client):
    user = staff("regulator")
    raw = bearer(user)["Authorization"].removeprefix("Bearer ")
    forged = app.session_interface.get_signing_serializer(app).dumps({"session_ref": raw})
    client.set_cookie("session", forged)
    assert client.get("/console/").status_code == 302
