import pytest

from parentapp.extensions import db
from parentapp.models import AuthToken, Child, User
from tests.asserts import assert_error
from tests.factories import make_child

LOGIN = "/api/v1/auth/wechat-login"


def test_me_answers_id_and_role_for_every_role(client, auth):
    for role in ("parent", "operator", "regulator"):
        user, headers = getattr(auth, role)()
        body = client.get("/api/v1/me", headers=headers).get_json()
        assert (body["id"], body["role"]) == (user.id, role)


def test_parent_sets_nickname_and_township(client, auth):
    _, headers = auth.parent()
    response = client.patch("/api/v1/me", headers=headers,
                            json={"nickname": "豆豆妈", "township": "500240001"})
    assert response.status_code == 200
    assert response.get_json()["nickname"] == "豆豆妈"
    assert response.get_json()["township"] == "500240001"
    cleared = client.patch("/api/v1/me", headers=headers, json={"township": None})
    assert cleared.get_json()["township"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({"township": "999999999"}, "township"),
    ({"township": "南宾街道"}, "township"),
    ({"nickname": "x" * 21}, "nickname"),
    ({"role": "regulator"}, "role"),
])
def test_patch_me_rejects_bad_fields(client, auth, body, field):
    _, headers = auth.parent()
    response = client.patch("/api/v1/me", headers=headers, json=body)
    assert_error(response, 422, "validation_error")
    assert field in response.get_json()["error"]["details"]


def test_patch_me_is_for_parents(client, auth):
    _, headers = auth.operator()
    response = client.patch("/api/v1/me", headers=headers, json={"nickname": "x"})
    assert_error(response, 403, "forbidden")


def test_phone_is_stored_in_full_and_shown_masked(client, auth, fake):
    user, headers = auth.parent()
    code = fake.issue_phone_code("13812340000")
    response = client.post("/api/v1/me/phone", headers=headers, json={"code": code})
    assert response.status_code == 200
    assert response.get_json() == {"phone": "138****0000"}
    assert db.session.get(User, user.id).phone == "13812340000"
    assert client.get("/api/v1/me", headers=headers).get_json()["phone"] == "138****0000"


def test_an_invalid_phone_code_answers_invalid_phone_code(client, auth, fake):
    _, headers = auth.parent()
    response = client.post("/api/v1/me/phone", headers=headers, json={"code": "not-issued"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_phone_code"


def test_a_non_mainland_number_is_refused(client, auth, fake):
    _, headers = auth.parent()
    code = fake.issue_phone_code("91234567", country_code="852")
    response = client.post("/api/v1/me/phone", headers=headers, json={"code": code})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_phone_code"


def test_deleting_the_account_erases_it_and_ends_every_token(client, fake):
    first = client.post(LOGIN, json={"code": fake.issue_login_code("openid-erin")}).get_json()
    headers = {"Authorization": f"Bearer {first['token']}"}
    client.patch("/api/v1/me", headers=headers, json={"nickname": "Erin", "township": "500240001"})
    parent = db.session.get(User, first["parent"]["id"])
    make_child(parent)
    make_child(parent, name="小红", gender="female")
    second_token = client.post(LOGIN, json={"code": fake.issue_login_code("openid-erin")})
    other_headers = {"Authorization": f"Bearer {second_token.get_json()['token']}"}

    assert client.delete("/api/v1/me", headers=headers).status_code == 204

    for h in (headers, other_headers):
        assert_error(client.get("/api/v1/me", headers=h), 401, "unauthorized")
    db.session.expire_all()
    erased = db.session.get(User, parent.id)
    assert (erased.wechat_openid, erased.nickname, erased.phone, erased.township) == (
        None, None, None, None)
    assert erased.deleted_at is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(Child)) == 0
    live = db.session.scalars(db.select(AuthToken).where(AuthToken.revoked_at.is_(None))).all()
    assert live == []

    fresh = client.post(LOGIN, json={"code": fake.issue_login_code("openid-erin")}).get_json()
    assert fresh["parent"]["is_new"] is True and fresh["parent"]["id"] != parent.id


def test_account_deletion_is_for_parents(client, auth):
    _, headers = auth.regulator()
    assert_error(client.delete("/api/v1/me", headers=headers), 403, "forbidden")
