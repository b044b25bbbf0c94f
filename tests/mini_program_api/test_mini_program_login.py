from __future__ import annotations

import pytest

from mini_program_api import Busy, InvalidCode, InvalidCredentials, MiniProgramError, Session


def test_an_issued_code_is_exchanged_for_its_openid(fake, client):
    code = fake.issue_login_code("openid-alice")

    session = client.code2session(code)

    assert session.openid == "openid-alice"
    assert session.session_key
    assert session.unionid is None


def test_a_unionid_comes_back_when_wechat_gives_one(fake, client):
    code = fake.issue_login_code("openid-alice", unionid="union-alice")

    assert client.code2session(code).unionid == "union-alice"


def test_a_code_works_only_once(fake, client):
    code = fake.issue_login_code("openid-alice")
    client.code2session(code)

    with pytest.raises(InvalidCode) as caught:
        client.code2session(code)

    assert caught.value.errcode == 40163


@pytest.mark.parametrize("code", ["invalid-code", "", ":nobody"])
def test_an_invalid_code_is_rejected(client, code):
    with pytest.raises(InvalidCode) as caught:
        client.code2session(code)

    assert caught.value.errcode == 40029


def test_a_code_older_than_five_minutes_is_rejected(fake, client, clock):
    code = fake.issue_login_code("openid-alice")
    clock.advance(301)

    with pytest.raises(InvalidCode):
        client.code2session(code)


@pytest.mark.parametrize(
    ("code", "openid"),
    [
        ("alice", "fake-openid-alice"),
        ("alice:2026-01-01", "fake-openid-alice"),
        ("bob:x:y", "fake-openid-bob"),
    ],
)
def test_sandbox_codes_name_their_user(client, code, openid):
    assert client.code2session(code).openid == openid


def test_a_sandbox_code_also_works_only_once(client):
    client.code2session("alice:1")

    with pytest.raises(InvalidCode):
        client.code2session("alice:1")


def test_without_sandbox_unknown_codes_are_invalid(serve_fake, make_client):
    _, base_url = serve_fake(sandbox=False)

    with pytest.raises(InvalidCode):
        make_client(api_base=base_url).code2session("alice")


def test_a_wrong_secret_is_a_credentials_error(make_client):
    with pytest.raises(InvalidCredentials) as caught:
        make_client(secret="not-the-secret").code2session("alice")

    assert caught.value.errcode == 40125
    assert "not-the-secret" not in str(caught.value)


def test_busy_wechat_raises_busy_which_may_be_retried(fake, client):
    fake.set_failures(fail_rate=1.0, endpoints=["jscode2session"])

    with pytest.raises(Busy) as caught:
        client.code2session("alice")

    assert caught.value.errcode == -1
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("errcode", "name"), [(40226, "RiskyUser"), (45011, "RateLimited"), (12345, "MiniProgramError")]
)
def test_other_login_errors_have_their_own_class(fake, client, errcode, name):
    fake.fail_next("jscode2session", errcode)

    with pytest.raises(MiniProgramError) as caught:
        client.code2session("alice")

    assert type(caught.value).__name__ == name
    assert caught.value.errcode == errcode


def test_session_repr_hides_the_session_key():
    session = Session("openid-alice", "the-session-key", None)

    assert "the-session-key" not in repr(session)
    assert "openid-alice" in repr(session)
