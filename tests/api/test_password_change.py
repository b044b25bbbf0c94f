"""POST /auth/password: staff change their password; the other sessions end."""

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from parentapp.extensions import db
from parentapp.models import User
from tests.asserts import assert_error
from tests.factories import bearer, make_user

PASSWORD = "/api/v1/auth/password"
OLD, NEW = "old-password-1", "new-password-2"


def _staff(role="operator") -> tuple[User, dict]:
    user = make_user(role, password_hash=generate_password_hash(OLD))
    return user, bearer(user)


def _stored_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_staff_change_their_password_and_log_in_with_the_new_one(client, role):
    user, headers = _staff(role)
    response = client.post(PASSWORD, headers=headers,
                           json={"old_password": OLD, "new_password": NEW})
    assert response.status_code == 204 and response.get_data() == b""
    assert check_password_hash(_stored_hash(user.id), NEW)
    old = client.post("/api/v1/auth/login", json={"username": user.username, "password": OLD})
    assert_error(old, 401, "invalid_credentials")
    new = client.post("/api/v1/auth/login", json={"username": user.username, "password": NEW})
    assert new.status_code == 200 and new.get_json()["user"]["id"] == user.id


def test_other_sessions_end_and_the_requesting_one_stays(client):
    user, headers = _staff()
    other_device, another_device = bearer(user), bearer(user)
    someone_else = bearer(make_user("operator"))
    response = client.post(PASSWORD, headers=headers,
                           json={"old_password": OLD, "new_password": NEW})
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for ended in (other_device, another_device):
        assert_error(client.get("/api/v1/me", headers=ended), 401, "unauthorized")
    assert client.get("/api/v1/me", headers=someone_else).status_code == 200


def test_a_wrong_old_password_changes_nothing(client):
    user, headers = _staff()
    other_device = bearer(user)
    before = _stored_hash(user.id)
    response = client.post(PASSWORD, headers=headers,
                           json={"old_password": "not-the-password", "new_password": NEW})
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"old_password": ["原密码不正确。"]}
    assert _stored_hash(user.id) == before
    assert client.get("/api/v1/me", headers=other_device).status_code == 200


@pytest.mark.parametrize(("new_password", "problem"), [
    ("short-7", "密码至少 8 个字符。"),
    (OLD, "新密码不能与原密码相同。"),
])
def test_a_new_password_that_breaks_the_rules_changes_nothing(client, new_password, problem):
    user, headers = _staff()
    other_device = bearer(user)
    before = _stored_hash(user.id)
    response = client.post(PASSWORD, headers=headers,
                           json={"old_password": OLD, "new_password": new_password})
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"new_password": [problem]}
    assert _stored_hash(user.id) == before
    assert client.get("/api/v1/me", headers=other_device).status_code == 200


@pytest.mark.parametrize("body", [
    {},
    {"old_password": OLD},
    {"new_password": NEW},
    {"old_password": OLD, "new_password": 12345678},
    {"old_password": OLD, "new_password": NEW, "username": "someone"},
    {"old_password": OLD, "new_password": "x" * 129},
])
def test_the_body_is_validated(client, body):
    user, headers = _staff()
    before = _stored_hash(user.id)
    assert_error(client.post(PASSWORD, headers=headers, json=body), 422, "validation_error")
    assert _stored_hash(user.id) == before


def test_parents_have_no_password_to_change(client, auth):
    _, headers = auth.parent()
    response = client.post(PASSWORD, headers=headers,
                           json={"old_password": OLD, "new_password": NEW})
    assert_error(response, 403, "forbidden")


def test_without_a_token_the_answer_is_unauthorized(client):
    response = client.post(PASSWORD, json={"old_password": OLD, "new_password": NEW})
    assert_error(response, 401, "unauthorized")


def test_the_openapi_document_describes_the_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][PASSWORD]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert set(operation["responses"]) >= {"204", "422"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"old_password", "new_password"}
    assert set(schema["required"]) == {"old_password", "new_password"}
