"""Rate limits of the contract's Limits table, each at its limit and one past it, on
memory and on Redis storage: 429 ``rate_limited`` with ``Retry-After`` and
``details.limit``; the next window (its counters cleared) lets the request through."""

from __future__ import annotations

import uuid

import pytest
from werkzeug.security import generate_password_hash

from parentapp import create_app
from parentapp.extensions import db
from parentapp.models import Booking, IdempotencyKey
from tests.asserts import assert_error
from tests.booking_factories import make_slots, setup_nursery
from tests.factories import bearer, make_child, make_user
from tests.rate_limit_apps import STORAGES, clear_counters, limited_app

LOGIN = "/api/v1/auth/login"
WECHAT_LOGIN = "/api/v1/auth/wechat-login"
PASSWORD = "limit-pass-1"


@pytest.fixture(params=STORAGES)
def storage(request):
    return request.param


def staff(username=None):
    return make_user("operator", username=username or f"op-{uuid.uuid4().hex[:8]}",
                     password_hash=generate_password_hash(PASSWORD))


def login(client, username, password=PASSWORD, ip="10.0.0.1", **kwargs):
    return client.post(LOGIN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, **kwargs)


def assert_limited(response, name: str, longest: int) -> dict:
    error = assert_error(response, 429, "rate_limited")
    assert error["details"]["limit"] == name
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= longest and error["details"]["retry_after"] == wait
    return error


def test_password_logins_per_ip_allow_the_limit_then_answer_429(app, storage):
    with limited_app(app, storage, {"logins_per_ip": 3}) as limited:
        user, client = staff(), limited.test_client()
        assert [login(client, user.username).status_code for _ in range(3)] == [200] * 3
        assert_limited(login(client, user.username, "wrong-pass"), "logins_per_ip", 60)
        # Another address is not affected.
        assert login(client, user.username, ip="10.0.0.2").status_code == 200
        clear_counters(limited)  # the next window
        assert login(client, user.username).status_code == 200


def test_forwarded_addresses_count_only_behind_trusted_proxies(app, storage):
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    with limited_app(app, storage, {"logins_per_ip": 1}) as limited:
        user, client = staff(), limited.test_client()
        assert login(client, user.username, headers=spoofed).status_code == 200
        # Without trusted proxies the header is the client's word: still the same socket.
        other = {"X-Forwarded-For": "203.0.113.10"}
        assert_limited(login(client, user.username, headers=other), "logins_per_ip", 60)
    with limited_app(app, storage, {"logins_per_ip": 1}, TRUSTED_PROXIES=1) as proxied:
        user, client = staff(), proxied.test_client()
        assert login(client, user.username, headers=spoofed).status_code == 200
        assert_limited(login(client, user.username, headers=spoofed), "logins_per_ip", 60)
        other = {"X-Forwarded-For": "203.0.113.10"}
        assert login(client, user.username, headers=other).status_code == 200


def test_wechat_logins_per_ip_allow_the_limit_then_answer_429(app, storage, fake):
    with limited_app(app, storage, {"wechat_logins_per_ip": 2}) as limited:
        client = limited.test_client()
        for n in range(2):
            code = fake.issue_login_code(f"openid-limit-{n}")
            assert client.post(WECHAT_LOGIN, json={"code": code}).status_code == 200
        code = fake.issue_login_code("openid-limit-late")
        assert_limited(client.post(WECHAT_LOGIN, json={"code": code}),
                       "wechat_logins_per_ip", 60)
        clear_counters(limited)
        # Refused before WeChat was asked: the code still works in the next window.
        assert client.post(WECHAT_LOGIN, json={"code": code}).status_code == 200


def book(client, headers, child_id, slot_id, key=None):
    return client.post("/api/v1/bookings", json={"child_id": child_id, "slot_ids": [slot_id]},
                       headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())})


def test_bookings_per_minute_per_user_and_a_429_is_never_the_keys_answer(app, storage):
    with limited_app(app, storage, {"bookings_per_minute": 2}) as limited:
        nursery, _ = setup_nursery()
        slots = make_slots(nursery, days=4)
        parent = make_user("parent")
        child, headers = make_child(parent), bearer(parent)
        other = make_user("parent")
        other_child, other_headers = make_child(other), bearer(other)
        client = limited.test_client()
        assert [book(client, headers, child.id, s.id).status_code for s in slots[:2]] == [201] * 2
        assert_limited(book(client, headers, child.id, slots[2].id, key="late-key"),
                       "bookings_per_minute", 60)
        assert db.session.scalar(db.select(IdempotencyKey).where(
            IdempotencyKey.key == "late-key")) is None
        assert book(client, other_headers, other_child.id, slots[2].id).status_code == 201

        clear_counters(limited)
        retry = book(client, headers, child.id, slots[2].id, key="late-key")
        assert retry.status_code == 201 and retry.get_json()["slots"][0]["id"] == slots[2].id
        again = book(client, headers, child.id, slots[2].id, key="late-key")
        assert again.status_code == 201 and again.get_json()["id"] == retry.get_json()["id"]
        assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 4


def test_a_limit_of_zero_is_switched_off(app, storage):
    with limited_app(app, storage, {"logins_per_ip": 0, "login_failures": 0}) as limited:
        user, client = staff(), limited.test_client()
        assert [login(client, user.username, "wrong-pass").status_code
                for _ in range(7)] == [401] * 7
        assert login(client, user.username).status_code == 200


# login_failures: 5 failed logins of one username in 15 minutes lock it for 15 minutes.

def test_the_fifth_failure_locks_the_username_even_for_the_right_password(app, storage):
    with limited_app(app, storage) as limited:
        user, bystander, client = staff(), staff(), limited.test_client()
        for _ in range(5):
            assert_error(login(client, user.username, "wrong-pass"), 401, "invalid_credentials")
        error = assert_limited(login(client, user.username), "login_failures", 15 * 60)
        assert int(error["details"]["retry_after"]) > 15 * 60 - 30
        assert "分钟后再试" in error["message"]
        assert login(client, bystander.username).status_code == 200
        clear_counters(limited)  # fifteen minutes later
        assert login(client, user.username).status_code == 200


def test_four_failures_then_a_success_start_the_count_again(app, storage):
    with limited_app(app, storage) as limited:
        user, client = staff(), limited.test_client()
        for _ in range(2):
            for _ in range(4):
                assert login(client, user.username, "wrong-pass").status_code == 401
            assert login(client, user.username).status_code == 200
        for _ in range(5):
            assert login(client, user.username, "wrong-pass").status_code == 401
        assert_limited(login(client, user.username), "login_failures", 15 * 60)


def test_an_unknown_username_locks_exactly_like_a_known_one(app, storage):
    with limited_app(app, storage) as limited:
        user, client = staff(), limited.test_client()
        answers = {}
        for name in (user.username, "nobody-here"):
            for _ in range(5):
                assert_error(login(client, name, "wrong-pass"), 401, "invalid_credentials")
            locked = login(client, name, "wrong-pass")
            assert_limited(locked, "login_failures", 15 * 60)
            answers[name] = locked.get_json()["error"]
        assert answers[user.username]["message"] == answers["nobody-here"]["message"]


def test_every_worker_on_the_redis_storage_sees_the_lock(app):
    with limited_app(app, "redis") as first:
        user = staff()
        username = user.username
        for _ in range(5):
            login(first.test_client(), user.username, "wrong-pass")
        prefix = first.config["RATELIMIT_KEY_PREFIX"]
        with limited_app(app, "redis", clean=False, RATELIMIT_KEY_PREFIX=prefix) as second:
            assert_limited(login(second.test_client(), username), "login_failures", 900)


def test_failures_on_the_api_and_the_console_count_together(app, storage):
    from tests.console.console_helpers import csrf

    with limited_app(app, storage) as limited:
        user, client = staff(), limited.test_client()
        for _ in range(3):
            assert login(client, user.username, "wrong-pass").status_code == 401
        for _ in range(2):
            page = client.post("/console/login", data={
                "csrf_token": csrf(client), "username": user.username, "password": "wrong"})
            assert page.status_code == 401
        assert_limited(login(client, user.username), "login_failures", 15 * 60)


def test_an_unreachable_counter_store_lets_requests_through(app):
    db.session.commit()
    broken = create_app({**app.config, "RATELIMIT_ENABLED": True,
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"})
    with broken.app_context():
        user = staff()
        assert login(broken.test_client(), user.username).status_code == 200
        assert login(broken.test_client(), user.username, "wrong").status_code == 401
        db.session.commit()
        db.engine.dispose()
