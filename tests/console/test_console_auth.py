import re

import pytest

from parentapp.extensions import db
from parentapp.models import AuthToken
from tests.console.console_helpers import csrf as _csrf
from tests.console.console_helpers import staff as _staff
from tests.factories import make_user
from tests.rate_limit_apps import STORAGES, limited_app


def sign_in(client, user, password="console-pass-1"):
    return client.post("/console/login", data={
        "csrf_token": _csrf(client), "username": user.username, "password": password})


def test_signing_in_opens_the_console_and_signing_out_ends_the_session(client):
    user = _staff()
    response = sign_in(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    home = client.get("/console/")
    assert home.status_code == 200 and user.name in home.get_data(as_text=True)

    token = _csrf(client, "/console/")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(AuthToken.revoked_at)) is not None
    assert client.get("/console/").status_code == 302


def test_wrong_password_shows_the_rule_and_signs_nobody_in(client):
    user = _staff()
    response = sign_in(client, user, password="wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_empty_fields_are_refused_with_a_message(client):
    response = client.post("/console/login", data={"csrf_token": _csrf(client),
                                                   "username": "", "password": ""})
    assert response.status_code == 401
    assert "请输入用户名和密码。" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "forged"])
def test_forms_without_the_csrf_token_are_refused(client, token):
    user = _staff()
    data = {"username": user.username, "password": "console-pass-1"}
    if token:
        data["csrf_token"] = token
    response = client.post("/console/login", data=data)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_a_revoked_token_ends_the_console_session(client):
    user = _staff("regulator")
    sign_in(client, user)
    db.session.execute(db.update(AuthToken).values(revoked_at=db.func.now()))
    db.session.commit()
    assert client.get("/console/").status_code == 302


def test_pages_redirect_to_sign_in_without_a_session(client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/api/v1/me"])
def test_sign_in_never_redirects_off_the_console(client, target):
    user = _staff()
    response = client.post("/console/login", data={
        "csrf_token": _csrf(client), "username": user.username, "password": "console-pass-1",
        "next": target})
    assert response.headers["Location"] == "/console/"


def test_parents_cannot_sign_in_to_the_console(client):
    parent = make_user("parent", username="parent-x")
    response = sign_in(client, parent)
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # still signed out


@pytest.mark.parametrize("storage", STORAGES)
def test_a_locked_username_sees_the_wait_in_words_not_a_server_error(app, storage):
    with limited_app(app, storage) as limited:
        client = limited.test_client()
        user = _staff()
        for _ in range(5):
            assert sign_in(client, user, password="wrong-password").status_code == 401
        response = sign_in(client, user)  # the right password, but locked
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
        page = response.get_data(as_text=True)
        assert re.search(r'<p class="error" role="alert">密码错误次数过多，该账号暂时不能登录，'
                         r'请 1[45] 分钟后再试。</p>', page)
        assert client.get("/console/").status_code == 302


def test_too_many_sign_ins_from_one_address_are_refused_in_words(app):
    with limited_app(app, "memory", {"logins_per_ip": 2}) as limited:
        client = limited.test_client()
        user = _staff()
        assert sign_in(client, user, password="wrong-password").status_code == 401
        assert sign_in(client, user).status_code == 302
        response = sign_in(client, user)
        assert response.status_code == 429
        page = response.get_data(as_text=True)
        assert re.search(r'<p class="error" role="alert">操作过于频繁，请 \d+ 秒后再试。</p>', page)
