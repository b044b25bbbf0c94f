"""The console's 修改密码 form: the API's rules, errors on the form, other sessions end."""

import pytest
from werkzeug.security import check_password_hash

from parentapp.extensions import db
from parentapp.models import User
from tests.console.console_helpers import PASSWORD, csrf, signed_in_client

NEW = "console-new-pass-2"


def _change(client, old=PASSWORD, new=NEW, confirm=None, token=None):
    return client.post("/console/password", data={
        "csrf_token": token or csrf(client, "/console/password"), "old_password": old,
        "new_password": new, "confirm_password": NEW if confirm is None else confirm})


def _stored_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_every_staff_role_reaches_the_form_from_the_navigation(client, role):
    signed_in_client(client, role)
    home = client.get("/console/").get_data(as_text=True)
    assert 'href="/console/password"' in home
    page = client.get("/console/password")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>修改密码</h1>" in text and 'name="csrf_token"' in text


def test_a_change_keeps_this_session_and_ends_the_others(app, client):
    user = signed_in_client(client)
    other = app.test_client()
    second = other.post("/console/login", data={
        "csrf_token": csrf(other), "username": user.username, "password": PASSWORD})
    assert second.status_code == 302
    assert other.get("/console/").status_code == 200

    response = _change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    home = client.get("/console/")
    assert home.status_code == 200
    assert "密码已修改，其他设备上的登录已退出。" in home.get_data(as_text=True)
    assert check_password_hash(_stored_hash(user.id), NEW)
    ended = other.get("/console/")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/console/login")


@pytest.mark.parametrize(("old", "new", "confirm", "shown"), [
    ("wrong-password", NEW, NEW, "原密码不正确。"),
    (PASSWORD, "short-7", "short-7", "密码至少 8 个字符。"),
    (PASSWORD, PASSWORD, PASSWORD, "新密码不能与原密码相同。"),
    (PASSWORD, NEW, NEW + "x", "两次输入的新密码不一致。"),
    ("", NEW, NEW, "必填。"),
])
def test_a_refused_change_shows_why_on_the_form_and_changes_nothing(client, old, new, confirm,
                                                                    shown):
    user = signed_in_client(client)
    before = _stored_hash(user.id)
    response = _change(client, old, new, confirm)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert shown in text and "<h1>修改密码</h1>" in text
    assert _stored_hash(user.id) == before
    assert client.get("/console/").status_code == 200


def test_the_form_needs_its_csrf_token(client):
    user = signed_in_client(client)
    before = _stored_hash(user.id)
    response = _change(client, token="forged")
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert _stored_hash(user.id) == before


def test_the_form_asks_for_sign_in_first(client):
    response = client.get("/console/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")
