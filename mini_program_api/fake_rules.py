"""What the fake WeChat server remembers and the rules its endpoints follow.

Each rule takes the app's configuration, its data and the request, changes the
data and returns the JSON object WeChat would answer, or raises Rejection with
the errcode WeChat would give. Callers hold the lock (see fake_state.py).
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import validate_value

TOKEN_SECONDS = 7200
RENEW_SECONDS = 300  # WeChat issues the next token when the current one has 5 minutes left
CODE_SECONDS = 300  # login and phone codes live 5 minutes
MINIPROGRAM_STATES = frozenset({"developer", "trial", "formal"})
LANGS = frozenset({"zh_CN", "en_US", "zh_HK", "zh_TW"})
# Mini-program page paths: "pages/child/detail?id=3"; no leading slash, no "..".
_PAGE_RE = re.compile(r"[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*(?:\?[^\s#]*)?")


class Rejection(Exception):
    """A rule failed: WeChat answers this errcode and errmsg."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg

    def answer(self) -> dict[str, Any]:
        return {"errcode": self.errcode, "errmsg": self.errmsg}


@dataclass(frozen=True)
class FakeApp:
    """The fake's configuration: who the mini-program is and what it may send."""

    appid: str
    secret: str
    template_keys: Mapping[str, tuple[str, ...]]  # template id -> required keys (may be empty)
    sandbox: bool = False


@dataclass(frozen=True)
class SentMessage:
    msgid: int
    touser: str
    template_id: str
    data: dict[str, str]
    page: str | None
    miniprogram_state: str
    lang: str


@dataclass(frozen=True)
class Failures:
    """Random failure injection; rates are probabilities per request."""

    fail_rate: float = 0.0  # answer errcode -1
    http_500_rate: float = 0.0  # answer HTTP 500
    hang_rate: float = 0.0  # do the work, then wait hang_seconds before answering
    hang_seconds: float = 15.0
    endpoints: frozenset[str] | None = None  # None: every WeChat endpoint

    def __post_init__(self) -> None:
        rates = (self.fail_rate, self.http_500_rate, self.hang_rate)
        if any(rate < 0 for rate in rates) or sum(rates) > 1:
            raise ValueError("failure rates must be >= 0 and add up to at most 1")


@dataclass(frozen=True)
class Injection:
    """What the fake does to one request instead of, or besides, answering it."""

    kind: str  # "none", "errcode", "http_500" or "hang"
    errcode: int = 0
    errmsg: str = ""
    hang_seconds: float = 0.0


@dataclass
class IssuedCode:
    payload: dict[str, Any]
    issued_at: float


@dataclass
class FakeData:
    login_codes: dict[str, IssuedCode] = field(default_factory=dict)
    phone_codes: dict[str, IssuedCode] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    openids: set[str] = field(default_factory=set)
    tokens: dict[str, float] = field(default_factory=dict)  # valid token -> expiry
    current_token: str | None = None
    grants: Counter[tuple[str, str]] = field(default_factory=Counter)
    messages: list[SentMessage] = field(default_factory=list)
    failures: Failures = field(default_factory=Failures)
    scripted: defaultdict[str, deque[Injection]] = field(default_factory=lambda: defaultdict(deque))
    calls: Counter[str] = field(default_factory=Counter)


def jscode2session(
    app: FakeApp, data: FakeData, now: float, params: Mapping[str, str], body: Any
) -> dict[str, Any]:
    _check_app(app, params.get("appid"), params.get("secret"))
    if params.get("grant_type") != "authorization_code":
        raise Rejection(40002, "invalid grant_type")
    openid, unionid = _redeem_login_code(app, data, now, params.get("js_code", ""))
    data.openids.add(openid)
    answer = {"openid": openid, "session_key": secrets.token_urlsafe(18)}
    if unionid:
        answer["unionid"] = unionid
    return answer


def _redeem_login_code(
    app: FakeApp, data: FakeData, now: float, code: str
) -> tuple[str, str | None]:
    if not code or code.startswith(("invalid", ":")):
        raise Rejection(40029, "invalid code")
    if code in data.used_codes:
        raise Rejection(40163, "code been used")
    issued = data.login_codes.pop(code, None)
    if issued is None and not app.sandbox:
        raise Rejection(40029, "invalid code")
    data.used_codes.add(code)
    if issued is None:
        # Sandbox: "<user>" or "<user>:<anything>" logs in as fake-openid-<user>, once.
        return "fake-openid-" + code.split(":", 1)[0], None
    if now - issued.issued_at > CODE_SECONDS:
        raise Rejection(40029, "invalid code")
    return issued.payload["openid"], issued.payload.get("unionid")


def stable_token(
    app: FakeApp, data: FakeData, now: float, params: Mapping[str, str], body: Any
) -> dict[str, Any]:
    body = _object(body)
    if body.get("grant_type") != "client_credential":
        raise Rejection(40002, "invalid grant_type")
    _check_app(app, body.get("appid"), body.get("secret"))
    force = body.get("force_refresh") is True
    if force:
        data.calls["stable_token_force_refresh"] += 1
    current = data.current_token
    if current is not None and not force and data.tokens.get(current, 0) - now > RENEW_SECONDS:
        return {"access_token": current, "expires_in": int(data.tokens[current] - now)}
    if current is not None and force:
        data.tokens.pop(current, None)  # a forced refresh kills the previous token at once
    token = secrets.token_urlsafe(48)
    data.tokens[token] = now + TOKEN_SECONDS
    data.current_token = token
    return {"access_token": token, "expires_in": TOKEN_SECONDS}


def subscribe_send(
    app: FakeApp, data: FakeData, now: float, params: Mapping[str, str], body: Any
) -> dict[str, Any]:
    _check_token(data, now, params)
    body = _object(body)
    touser, template_id, page = body.get("touser"), body.get("template_id"), body.get("page")
    if not isinstance(touser, str) or touser not in data.openids:
        raise Rejection(40003, "invalid openid")
    if not isinstance(template_id, str) or template_id not in app.template_keys:
        raise Rejection(40037, "invalid template_id")
    if page is not None and not (isinstance(page, str) and _is_page(page)):
        raise Rejection(41030, "invalid page")
    state, lang = body.get("miniprogram_state", "formal"), body.get("lang", "zh_CN")
    if state not in MINIPROGRAM_STATES or lang not in LANGS:
        raise Rejection(47003, "argument invalid! miniprogram_state or lang")
    values = _template_values(app.template_keys[template_id], body.get("data"))
    if data.grants[(touser, template_id)] <= 0:
        raise Rejection(43101, "user refuse to accept the msg")
    data.grants[(touser, template_id)] -= 1
    message = SentMessage(len(data.messages) + 1, touser, template_id, values, page, state, lang)
    data.messages.append(message)
    return {"errcode": 0, "errmsg": "ok", "msgid": message.msgid}


def _is_page(page: str) -> bool:
    return len(page) <= 1024 and _PAGE_RE.fullmatch(page) is not None


def _template_values(required: tuple[str, ...], raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise Rejection(47003, "argument invalid! data")
    for key in required:
        if key not in raw:
            raise Rejection(47003, f"argument invalid! data.{key}.value is empty")
    values = {}
    for key, item in raw.items():
        if required and key not in required:
            raise Rejection(47003, f"argument invalid! data.{key} is not in the template")
        value = item.get("value") if isinstance(item, dict) else None
        rule = validate_value(key, value)
        if rule is not None:
            raise Rejection(47003, f"argument invalid! data.{key}.value {rule}")
        values[key] = value
    return values


def getuserphonenumber(
    app: FakeApp, data: FakeData, now: float, params: Mapping[str, str], body: Any
) -> dict[str, Any]:
    _check_token(data, now, params)
    code = _object(body).get("code")
    issued = data.phone_codes.pop(code, None) if isinstance(code, str) else None
    if issued is None or now - issued.issued_at > CODE_SECONDS:
        raise Rejection(40029, "invalid code")
    info = dict(issued.payload)
    info["watermark"] = {"timestamp": int(now), "appid": info.pop("watermark_appid")}
    return {"errcode": 0, "errmsg": "ok", "phone_info": info}


RULES = {
    "jscode2session": jscode2session,
    "stable_token": stable_token,
    "subscribe_send": subscribe_send,
    "getuserphonenumber": getuserphonenumber,
}
ENDPOINTS = tuple(RULES)


def _check_app(app: FakeApp, appid: object, secret: object) -> None:
    if appid != app.appid:
        raise Rejection(40013, "invalid appid")
    if secret != app.secret:
        raise Rejection(40125, "invalid appsecret")


def _check_token(data: FakeData, now: float, params: Mapping[str, str]) -> None:
    token = params.get("access_token")
    if not token:
        raise Rejection(41001, "access_token missing")
    expires_at = data.tokens.get(token)
    if expires_at is None:
        raise Rejection(40001, "invalid credential, access_token is invalid or not latest")
    if expires_at <= now:
        raise Rejection(42001, "access_token expired")


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Rejection(47001, "data format error")
    return body
