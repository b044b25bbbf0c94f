"""Phone numbers, and what must never show in messages, reprs, tracebacks or logs."""

from __future__ import annotations

import logging
import traceback

import pytest

from mini_program_api import (
    InvalidPhoneCode,
    InvalidToken,
    MiniProgramError,
    PhoneInfo,
    error_for,
)

PHONE = "13812345678"


@pytest.mark.parametrize("numeric", [False, True])
def test_the_phone_number_comes_back_with_a_string_country_code(fake, client, numeric):
    code = fake.issue_phone_code(PHONE, "86", numeric_country_code=numeric)

    info = client.get_phone_number(code)

    assert (info.phone_number, info.pure_phone_number) == (PHONE, PHONE)
    assert info.country_code == "86"
    assert info.watermark_appid == fake.appid
    assert info.watermark_timestamp > 0


def test_a_foreign_number_keeps_its_prefix(fake, client):
    info = client.get_phone_number(fake.issue_phone_code("4155550100", "1"))

    assert (info.phone_number, info.pure_phone_number, info.country_code) == (
        "+14155550100",
        "4155550100",
        "1",
    )


def test_a_watermark_of_another_app_is_refused(fake, client):
    code = fake.issue_phone_code(PHONE, watermark_appid="wx-someone-else")

    with pytest.raises(MiniProgramError) as caught:
        client.get_phone_number(code)

    assert type(caught.value) is MiniProgramError
    assert PHONE not in str(caught.value)


@pytest.mark.parametrize("code", ["unknown-code", ""])
def test_an_unknown_phone_code_is_an_invalid_phone_code(client, code):
    with pytest.raises(InvalidPhoneCode) as caught:
        client.get_phone_number(code)

    assert caught.value.errcode == 40029


def test_a_phone_code_works_once(fake, client):
    code = fake.issue_phone_code(PHONE)
    client.get_phone_number(code)

    with pytest.raises(InvalidPhoneCode):
        client.get_phone_number(code)


def test_phone_info_repr_masks_the_number():
    info = PhoneInfo(PHONE, PHONE, "86", "wx-a", 1)

    assert PHONE not in repr(info)
    assert "138****5678" in repr(info)


@pytest.mark.parametrize(
    ("errcode", "path", "name"),
    [
        (40029, "/sns/jscode2session", "InvalidCode"),
        (40029, "/wxa/business/getuserphonenumber", "InvalidPhoneCode"),
        (40013, "/wxa/business/getuserphonenumber", "InvalidPhoneCode"),
        (40013, "/sns/jscode2session", "InvalidCredentials"),
        (42001, None, "InvalidToken"),
        (-1, None, "Busy"),
        (99999, None, "MiniProgramError"),
    ],
)
def test_error_for_maps_codes_in_context(errcode, path, name):
    assert type(error_for(errcode, "msg", path)).__name__ == name


def test_error_messages_never_echo_the_secret_or_the_token(fake, client):
    token = client.access_token()
    fake.fail_next(
        "subscribe_send",
        40001,
        times=2,
        errmsg=f"bad token {token} for secret {fake.app.secret}, call {PHONE}",
    )
    fake.grant("openid-alice", fake.templates["vaccine"])

    with pytest.raises(InvalidToken) as caught:
        client.send_subscribe_message("openid-alice", fake.templates["vaccine"], {"thing1": "x"})

    shown = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert fake.app.secret not in shown
    assert client.access_token() not in shown
    assert PHONE not in shown


def test_logs_name_method_path_and_errcode_but_no_credentials(fake, client, caplog):
    caplog.set_level(logging.DEBUG, logger="mini_program_api")
    client.code2session(fake.issue_login_code("openid-alice"))
    token = client.access_token()
    info = client.get_phone_number(fake.issue_phone_code(PHONE))
    fake.fail_next("getuserphonenumber", 40029)
    with pytest.raises(InvalidPhoneCode):
        client.get_phone_number("whatever")

    text = caplog.text + repr(info) + repr(client)
    assert "POST /wxa/business/getuserphonenumber" in text
    assert "errcode=40029" in text
    for secret in (fake.app.secret, token, PHONE, "js_code", "access_token="):
        assert secret not in text
