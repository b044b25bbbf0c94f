from datetime import timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import AuthToken, User, utcnow
from tests.asserts import assert_error
from tests.factories import make_user

LOGIN = "/api/v1/auth/wechat-login"


def _parents() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User)
                             .where(User.role == "parent"))


def test_first_wechat_login_creates_the_parent_and_never_returns_session_key(client, fake):
    code = fake.issue_login_code("openid-alice")
    response = client.post(LOGIN, json={"code": code})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_in", "parent"}
    assert body["expires_in"] == 604800
    assert body["parent"]["is_new"] is True and body["parent"]["nickname"] is None
    assert "session_key" not in response.get_data(as_text=True)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["role"] == "parent"


def test_second_login_finds_the_same_parent(client, fake):
    first = client.post(LOGIN, json={"code": fake.issue_login_code("openid-bob")}).get_json()
    second = client.post(LOGIN, json={"code": fake.issue_login_code("openid-bob")}).get_json()
    assert second["parent"]["id"] == first["parent"]["id"]
    assert second["parent"]["is_new"] is False
    assert _parents() == 1


def test_a_login_code_is_exchanged_once(client, fake):
    code = fake.issue_login_code("openid-carol")
    assert client.post(LOGIN, json={"code": code}).status_code == 200
    replay = client.post(LOGIN, json={"code": code})
    assert replay.status_code == 401
    assert replay.get_json()["error"]["code"] == "invalid_wechat_code"


def test_an_invalid_code_answers_invalid_wechat_code(client, fake):
    response = client.post(LOGIN, json={"code": "invalid-code"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_wechat_code"
    assert _parents() == 0


def test_wechat_busy_answers_503_and_creates_nothing(client, fake):
    fake.set_failures(fail_rate=1.0)
    response = client.post(LOGIN, json={"code": fake.issue_login_code("openid-dan")})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "wechat_unavailable"
    assert _parents() == 0


def test_wechat_unreachable_answers_503_and_creates_nothing(app):
    from parentapp import create_app

    offline = create_app({**app.config, "WECHAT_API_BASE": "http://127.0.0.1:9"})
    response = offline.test_client().post(LOGIN, json={"code": "someone:1"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "wechat_unavailable"
    assert _parents() == 0


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x", "extra": 1}])
def test_login_body_is_validated(client, body):
    response = client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


OPERATOR = {"username": "nanbin-care", "password": "long-enough-1", "phone": "13912345678",
            "name": "南宾托育"}


def test_operator_registers_and_logs_in(client):
    registered = client.post("/api/v1/auth/register-operator", json=OPERATOR)
    assert registered.status_code == 201
    body = registered.get_json()
    assert body["user"]["role"] == "operator" and body["token"]
    login = client.post("/api/v1/auth/login",
                        json={"username": "nanbin-care", "password": "long-enough-1"})
    assert login.status_code == 200
    assert login.get_json()["user"] == body["user"]
    assert login.get_json()["expires_in"] == 604800


@pytest.mark.parametrize(("field", "value"), [
    ("password", "short7!"),
    ("phone", "12345678901"),
    ("phone", "1381234567"),
    ("phone", "+8613812345678"),
    ("username", "a b"),
    ("username", "ab"),
    ("name", ""),
    ("name", "  "),
])
def test_operator_registration_rejects_bad_fields(client, field, value):
    response = client.post("/api/v1/auth/register-operator", json={**OPERATOR, field: value})
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["details"]
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_username_in_use_answers_username_taken(client):
    assert client.post("/api/v1/auth/register-operator", json=OPERATOR).status_code == 201
    again = client.post("/api/v1/auth/register-operator", json=OPERATOR)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "username_taken"


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_wrong_password_answers_invalid_credentials(client, password):
    client.post("/api/v1/auth/register-operator", json=OPERATOR)
    response = client.post("/api/v1/auth/login",
                           json={"username": OPERATOR["username"], "password": password or "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_unknown_username_answers_invalid_credentials(client):
    response = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 9})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_users_create_cli_makes_a_regulator_who_can_log_in(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--role", "regulator", "--username", "wjw",
                                 "--password", "regulator-1234"])
    assert result.exit_code == 0, result.output
    login = client.post("/api/v1/auth/login", json={"username": "wjw",
                                                   "password": "regulator-1234"})
    assert login.get_json()["user"]["role"] == "regulator"
    again = runner.invoke(args=["users", "create", "--role", "regulator", "--username", "wjw",
                                "--password", "regulator-1234"])
    assert again.exit_code != 0 and "用户名" in again.output
    short = runner.invoke(args=["users", "create", "--role", "regulator", "--username", "w2",
                                "--password", "short"])
    assert short.exit_code != 0


def test_passwords_are_stored_with_a_modern_kdf(client):
    client.post("/api/v1/auth/register-operator", json=OPERATOR)
    stored = db.session.scalar(db.select(User.password_hash))
    assert stored.startswith("scrypt:") and OPERATOR["password"] not in stored


def test_logout_ends_the_token(client, auth):
    _, headers = auth.parent()
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_logout_accepts_an_empty_object(client, auth):
    _, headers = auth.parent()
    assert client.post("/api/v1/auth/logout", headers=headers, json={}).status_code == 204
    assert_error(client.post("/api/v1/auth/logout", headers=headers, json={}), 401, "unauthorized")


def test_tokens_are_stored_only_as_hashes(client, auth):
    _, headers = auth.parent()
    raw = headers["Authorization"].split()[1]
    stored = db.session.scalar(db.select(AuthToken.token_hash))
    assert raw not in stored and len(stored) == 64


def _protected_operations() -> list[tuple[str, str]]:
    """Every operation the OpenAPI document marks as needing a bearer token."""
    import re

    from parentapp import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "x" * 40})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, ops in spec["paths"].items() for method, op in ops.items()
        if method != "parameters" and op.get("security") == [{"bearerAuth": []}])


PROTECTED = _protected_operations()


def test_the_protected_list_covers_every_area():
    paths = {path for _, path in PROTECTED}
    for prefix in ("/api/v1/me", "/api/v1/children", "/api/v1/bookings", "/api/v1/operator/",
                   "/api/v1/admin/", "/api/v1/organizer/"):
        assert any(p.startswith(prefix) for p in paths), prefix
    assert len(PROTECTED) > 50


def _expired_headers():
    user = make_user("parent")
    from tests.factories import bearer

    headers = bearer(user)
    token = db.session.scalar(db.select(AuthToken).where(AuthToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return headers


def _revoked_headers():
    user = make_user("parent")
    from tests.factories import bearer

    headers = bearer(user)
    token = db.session.scalar(db.select(AuthToken).where(AuthToken.user_id == user.id))
    token.revoked_at = utcnow()
    db.session.commit()
    return headers


BAD_TOKENS = {
    "missing": lambda: {},
    "not bearer": lambda: {"Authorization": "Basic dXNlcjpwYXNz"},
    "empty": lambda: {"Authorization": "Bearer "},
    "forged": lambda: {"Authorization": "Bearer forged-token-value"},
    "expired": _expired_headers,
    "revoked": _revoked_headers,
}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_every_endpoint_rejects_bad_tokens_with_401(client, method, path, kind):
    response = client.open(path, method=method.upper(),
                           headers={**BAD_TOKENS[kind](), "Idempotency-Key": "k"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


ROLE_REFUSALS = [
    ("parent", ("/api/v1/operator/", "/api/v1/organizer/", "/api/v1/admin/")),
    ("operator", ("/api/v1/admin/", "/api/v1/children", "/api/v1/bookings")),
    ("regulator", ("/api/v1/operator/", "/api/v1/children", "/api/v1/bookings")),
]


@pytest.mark.parametrize(("role", "prefixes"), ROLE_REFUSALS)
def test_roles_are_enforced_on_every_endpoint(client, auth, role, prefixes):
    _, headers = getattr(auth, role)()
    checked = 0
    for method, path in PROTECTED:
        if not path.startswith(prefixes):
            continue
        response = client.open(path, method=method.upper(),
                               headers={**headers, "Idempotency-Key": "k"}, json={})
        assert response.status_code == 403, (role, method, path, response.status_code)
        assert response.get_json()["error"]["code"] == "forbidden"
        checked += 1
    assert checked >= 5
