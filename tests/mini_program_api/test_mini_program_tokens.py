from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mini_program_api import (
    InvalidCredentials,
    InvalidToken,
    MemoryTokenCache,
    RedisTokenCache,
)


def _send(fake, client, openid="openid-alice"):
    template = fake.templates["booking"]
    fake.grant(openid, template)
    data = {
        "thing1": "石柱县示范托育园",
        "time2": "2026年12月3日 08:00",
        "phrase3": "已确认",
        "name4": "王小明",
        "thing5": "请按时入园",
    }
    return client.send_subscribe_message(openid, template, data)


def test_the_token_is_fetched_once_and_reused(fake, client):
    _send(fake, client)
    _send(fake, client)

    assert fake.calls()["stable_token"] == 1
    assert client.access_token() == client.access_token()
    assert fake.calls()["stable_token"] == 1


def test_clients_sharing_a_cache_share_the_token(fake, make_client):
    cache = MemoryTokenCache()

    first = make_client(token_cache=cache).access_token()
    second = make_client(token_cache=cache).access_token()

    assert first == second
    assert fake.calls()["stable_token"] == 1


def test_a_token_with_under_five_minutes_left_is_fetched_again(fake, make_client):
    cache = MemoryTokenCache()
    cache.set(fake.appid, "old-token", datetime.now(UTC) + timedelta(minutes=4))

    token = make_client(token_cache=cache).access_token()

    assert token != "old-token"
    assert cache.get(fake.appid).token == token
    assert fake.calls()["stable_token"] == 1


def test_an_invalidated_token_is_refreshed_once_and_the_send_succeeds(fake, client):
    _send(fake, client)
    fake.invalidate_token()

    _send(fake, client)

    calls = fake.calls()
    assert calls["stable_token"] == 2
    assert "stable_token_force_refresh" not in calls  # the normal call already gave a new one
    assert calls["subscribe_send"] == 3
    assert len(fake.messages()) == 2


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_rejected_token_that_wechat_still_returns_is_force_refreshed(fake, client, errcode):
    first = client.access_token()
    fake.fail_next("subscribe_send", errcode)

    _send(fake, client)

    assert fake.calls()["stable_token_force_refresh"] == 1
    assert client.access_token() != first
    assert len(fake.messages()) == 1


def test_a_second_rejection_in_a_row_is_raised_not_looped(fake, client):
    fake.fail_next("subscribe_send", 40001, times=3)

    with pytest.raises(InvalidToken) as caught:
        _send(fake, client)

    assert caught.value.errcode == 40001
    assert fake.calls()["subscribe_send"] == 2
    assert fake.messages() == []


def test_a_token_expired_at_the_fake_is_replaced(fake, client, clock):
    _send(fake, client)
    clock.advance(7200)  # the fake's token expired; the client's cache does not know

    _send(fake, client)

    assert fake.calls()["stable_token"] == 2
    assert len(fake.messages()) == 2


def test_force_refresh_gets_a_new_token_and_kills_the_old_one(fake, client):
    old = client.access_token()

    new = client.access_token(force_refresh=True)

    assert new != old
    assert fake.calls()["stable_token_force_refresh"] == 1


def test_a_wrong_secret_fails_the_token_fetch_without_retrying(fake, make_client):
    client = make_client(secret="wrong-secret")

    with pytest.raises(InvalidCredentials):
        client.access_token()

    assert fake.calls()["stable_token"] == 1


def test_memory_cache_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        MemoryTokenCache().set("wx-a", "token", datetime(2026, 1, 1))


class DictRedis:
    """The two redis-py methods RedisTokenCache uses."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[bytes, int]] = {}

    def get(self, key: str) -> bytes | None:
        return self.values[key][0] if key in self.values else None

    def set(self, key: str, value: str, ex: int) -> None:
        self.values[key] = (value.encode(), ex)


def test_redis_cache_round_trips_and_expires_with_the_token():
    redis = DictRedis()
    cache = RedisTokenCache("redis://unused", client=redis)
    expires_at = datetime.now(UTC) + timedelta(hours=2)

    cache.set("wx-a", "token-a", expires_at)

    stored = cache.get("wx-a")
    assert stored.token == "token-a"
    assert stored.expires_at == expires_at
    assert 7190 <= next(iter(redis.values.values()))[1] <= 7200
    assert cache.get("wx-b") is None
    assert "token-a" not in repr(stored)
