"""The fake's control API over HTTP, its token rules and its command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from mini_program_api import Busy, RateLimited
from mini_program_api.fake_server import FakeWeChat


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def test_the_control_api_drives_a_whole_send(fake, base_url, client, http):
    booking = fake.templates["booking"]
    code = http.post(f"{base_url}/__fake__/login-codes", json={"openid": "openid-dan"}).json()
    assert client.code2session(code["code"]).openid == "openid-dan"
    granted = http.post(
        f"{base_url}/__fake__/grants",
        json={"openid": "openid-dan", "template_id": booking, "count": 2},
    )
    assert granted.json() == {"remaining": 2}

    client.send_subscribe_message(
        "openid-dan",
        booking,
        {
            "thing1": "托育园",
            "time2": "09:00",
            "phrase3": "已确认",
            "name4": "小丹",
            "thing5": "无",
        },
    )

    sent = http.get(f"{base_url}/__fake__/messages").json()
    assert sent["counts"] == [{"openid": "openid-dan", "template_id": booking, "count": 1}]
    assert sent["messages"][0]["data"]["phrase3"] == "已确认"
    left = http.get(
        f"{base_url}/__fake__/grants", params={"openid": "openid-dan", "template_id": booking}
    )
    assert left.json() == {"remaining": 1}


def test_control_api_knobs_reach_the_fake(fake, base_url, client, http):
    def control(path: str, **payload) -> None:
        assert http.post(f"{base_url}/__fake__/{path}", json=payload).status_code == 200

    control("fail-next", endpoint="jscode2session", errcode=45011)
    with pytest.raises(RateLimited):
        client.code2session("alice")
    control("failures", fail_rate=1.0, endpoints=["stable_token"])
    with pytest.raises(Busy):
        client.access_token()
    control("failures")  # no knobs: no failures
    phone = http.post(
        f"{base_url}/__fake__/phone-codes",
        json={"phone_number": "13812345678", "numeric_country_code": True},
    )

    assert client.get_phone_number(phone.json()["code"]).country_code == "86"
    assert http.get(f"{base_url}/__fake__/calls").json() == fake.calls()
    assert fake.calls()["stable_token"] == 2
    control("reset")
    assert fake.calls() == {}


def test_control_api_answers_400_to_bad_requests(base_url, http):
    missing = http.post(f"{base_url}/__fake__/grants", json={"openid": "x"})
    unknown = http.post(f"{base_url}/__fake__/fail-next", json={"endpoint": "nope"})
    not_json = http.post(f"{base_url}/__fake__/login-codes", data=b"{")

    assert [r.status_code for r in (missing, unknown, not_json)] == [400, 400, 400]
    assert http.get(f"{base_url}/nowhere").status_code == 404


def test_invalidate_token_over_http_makes_the_fake_reject_it(fake, base_url, client, http):
    old = client.access_token()

    http.post(f"{base_url}/__fake__/invalidate-token")

    assert client.access_token(force_refresh=False) == old  # the client's cache still has it
    assert fake.answer("getuserphonenumber", {"access_token": old}, {})["errcode"] == 40001


def test_stable_token_repeats_until_five_minutes_before_expiry(clock):
    fake = FakeWeChat("wx-a", "s", clock=clock)
    body = {"grant_type": "client_credential", "appid": "wx-a", "secret": "s"}

    first = fake.answer("stable_token", {}, body)
    clock.advance(7200 - 301)
    again = fake.answer("stable_token", {}, body)
    clock.advance(2)
    renewed = fake.answer("stable_token", {}, body)

    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 301
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 7200
    # The old token lives until it expires, as WeChat's does.
    answer = fake.answer("subscribe_send", {"access_token": first["access_token"]}, {})
    assert answer["errcode"] == 40003


def test_the_same_seed_fails_the_same_requests():
    def outcomes(seed: int) -> list[str]:
        fake = FakeWeChat("wx-a", "s", seed=seed)
        fake.set_failures(fail_rate=0.3, http_500_rate=0.2, hang_rate=0.1)
        return [fake.draw_injection("stable_token").kind for _ in range(50)]

    assert outcomes(1) == outcomes(1)
    assert outcomes(1) != outcomes(2)
    assert {"none", "errcode", "http_500", "hang"} == set(outcomes(1))


def test_failure_rates_above_one_are_refused():
    with pytest.raises(ValueError):
        FakeWeChat("wx-a", "s").set_failures(fail_rate=0.8, hang_rate=0.5)


def test_grants_only_for_configured_templates():
    with pytest.raises(ValueError):
        FakeWeChat("wx-a", "s", templates={"vaccine": "tpl-v"}).grant("o", "tpl-other")


def test_the_command_line_serves_a_sandbox():
    command = [
        sys.executable,
        "-m",
        "mini_program_api.fake_server",
        "--port",
        "0",
        "--appid",
        "wx-cli",
        "--secret",
        "cli-secret",
        "--sandbox",
        "--templates",
        json.dumps({"vaccine": "tpl-v"}),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            base_url = process.stdout.readline().split()[-1]
            with requests.Session() as http:
                config = http.get(f"{base_url}/__fake__/config", timeout=5).json()
                login = http.get(
                    f"{base_url}/sns/jscode2session",
                    timeout=5,
                    params={
                        "appid": "wx-cli",
                        "secret": "cli-secret",
                        "js_code": "eve:1",
                        "grant_type": "authorization_code",
                    },
                ).json()
        finally:
            process.terminate()
            process.wait(5)
            process.stdout.close()

    assert config == {"appid": "wx-cli", "templates": {"vaccine": "tpl-v"}, "sandbox": True}
    assert login["openid"] == "fake-openid-eve"
