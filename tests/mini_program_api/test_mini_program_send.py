from __future__ import annotations

import json
import socket
import time
import traceback

import pytest

from mini_program_api import (
    Busy,
    InvalidData,
    InvalidOpenid,
    InvalidPage,
    InvalidTemplate,
    MiniProgramClient,
    NoGrant,
    QuotaExceeded,
    ResponseTimeout,
    TransportError,
    fit_value,
)
from mini_program_api.transport import encode_json

ALICE = "openid-alice"
BOOKING_DATA = {
    "thing1": "石柱县示范托育园",
    "time2": "2026年12月3日 08:00",
    "phrase3": "已确认",
    "name4": "王小明",
    "thing5": "请按时入园",
}


@pytest.fixture
def booking(fake) -> str:
    return fake.templates["booking"]


def test_a_send_spends_exactly_one_grant(fake, client, booking):
    fake.grant(ALICE, booking, count=2)

    result = client.send_subscribe_message(
        ALICE, booking, BOOKING_DATA, page="pages/booking/detail?id=3"
    )

    assert fake.grants_left(ALICE, booking) == 1
    assert fake.message_counts() == {(ALICE, booking): 1}
    [message] = fake.messages()
    assert result.msgid == message.msgid
    assert message.data == BOOKING_DATA  # Chinese arrives intact
    assert message.page == "pages/booking/detail?id=3"
    assert (message.miniprogram_state, message.lang) == ("formal", "zh_CN")


def test_without_a_grant_the_send_fails_with_no_grant(fake, client, booking):
    fake.grant(ALICE, booking)
    client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    with pytest.raises(NoGrant) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert caught.value.errcode == 43101
    assert not caught.value.retryable
    assert fake.message_counts() == {(ALICE, booking): 1}


def test_a_too_long_thing_sent_raw_is_rejected_with_47003(fake, client, booking):
    fake.grant(ALICE, booking)
    data = {**BOOKING_DATA, "thing1": "重庆市石柱土家族自治县南宾街道示范性普惠托育服务中心"}

    with pytest.raises(InvalidData) as caught:
        client.send_subscribe_message(ALICE, booking, data)

    assert caught.value.errcode == 47003
    assert "thing1" in caught.value.errmsg
    assert fake.grants_left(ALICE, booking) == 1


def test_the_same_value_fitted_first_is_sent(fake, client, booking):
    fake.grant(ALICE, booking)
    raw = {**BOOKING_DATA, "thing1": "重庆市石柱土家族自治县南宾街道示范性普惠托育服务中心"}

    client.send_subscribe_message(ALICE, booking, {k: fit_value(k, v) for k, v in raw.items()})

    assert fake.messages()[0].data["thing1"].endswith("…")


def test_a_template_key_left_out_is_rejected(fake, client, booking):
    fake.grant(ALICE, booking)
    data = {k: v for k, v in BOOKING_DATA.items() if k != "thing5"}

    with pytest.raises(InvalidData):
        client.send_subscribe_message(ALICE, booking, data)


def test_an_unknown_openid_is_rejected(fake, client, booking):
    with pytest.raises(InvalidOpenid) as caught:
        client.send_subscribe_message("openid-nobody", booking, BOOKING_DATA)

    assert caught.value.errcode == 40003


def test_an_unknown_template_is_rejected(fake, client, booking):
    fake.grant(ALICE, booking)

    with pytest.raises(InvalidTemplate) as caught:
        client.send_subscribe_message(ALICE, "tpl-unknown", BOOKING_DATA)

    assert caught.value.errcode == 40037


@pytest.mark.parametrize("page", ["/pages/index", "pages/../secret", "pages/a b", ""])
def test_a_malformed_page_is_rejected(fake, client, booking, page):
    fake.grant(ALICE, booking)

    with pytest.raises(InvalidPage) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA, page=page)

    assert caught.value.errcode == 41030


def test_a_user_who_logged_in_can_be_sent_to(fake, client, booking):
    openid = client.code2session("carol:1").openid
    fake.grant(openid, booking)

    client.send_subscribe_message(openid, booking, BOOKING_DATA)

    assert fake.message_counts() == {(openid, booking): 1}


def test_a_busy_answer_is_busy_and_sends_nothing(fake, client, booking):
    fake.grant(ALICE, booking)
    client.access_token()
    fake.set_failures(fail_rate=1.0, endpoints=["subscribe_send"])

    with pytest.raises(Busy) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert caught.value.retryable
    assert fake.messages() == []


def test_an_http_500_is_busy(fake, client, booking):
    fake.grant(ALICE, booking)
    client.access_token()
    fake.set_failures(http_500_rate=1.0, endpoints=["subscribe_send"])

    with pytest.raises(Busy) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert caught.value.errcode is None
    assert "500" in str(caught.value)


def test_a_spent_quota_is_not_retried(fake, client, booking):
    fake.grant(ALICE, booking)
    fake.fail_next("subscribe_send", 45009)

    with pytest.raises(QuotaExceeded):
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert fake.calls()["subscribe_send"] == 1


def test_a_hung_answer_is_a_response_timeout_and_the_message_was_delivered(
    fake, make_client, booking
):
    client = make_client(timeout=(0.5, 0.5))
    fake.grant(ALICE, booking)
    client.access_token()
    fake.set_failures(hang_rate=1.0, hang_seconds=1.5, endpoints=["subscribe_send"])

    started = time.monotonic()
    with pytest.raises(ResponseTimeout) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert time.monotonic() - started < 1.2
    assert not caught.value.retryable
    assert fake.calls()["subscribe_send"] == 1  # not repeated by the client
    assert fake.message_counts() == {(ALICE, booking): 1}


def test_the_whole_call_stays_within_its_budget_and_a_hung_token_fetch_is_retryable(
    fake, make_client, booking
):
    # The token fetch hangs; what is left of the budget bounds the send.
    client = make_client(timeout=(0.5, 5), call_budget=0.8)
    fake.grant(ALICE, booking)
    fake.set_failures(hang_rate=1.0, hang_seconds=3, endpoints=["stable_token"])

    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        client.send_subscribe_message(ALICE, booking, BOOKING_DATA)

    assert time.monotonic() - started < 1.2
    assert caught.value.retryable  # the send itself never went out
    assert "subscribe_send" not in fake.calls()


def test_a_refused_connection_is_a_transport_error_safe_to_retry():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the socket is closed
    secret = "very-secret-value"

    client = MiniProgramClient("wx-a", secret, api_base=f"http://127.0.0.1:{port}")
    with client, pytest.raises(TransportError) as caught:
        client.code2session("alice")

    assert caught.value.retryable
    assert secret not in "".join(traceback.format_exception(caught.value))


def test_json_is_sent_as_utf8_without_escapes():
    body = encode_json({"thing1": {"value": "石柱"}})

    assert "石柱".encode() in body
    assert json.loads(body) == {"thing1": {"value": "石柱"}}
