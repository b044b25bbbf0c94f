"""A small client for the WeChat mini-program server API.

Every public method is one "call" in the contract's sense: whatever it does
(fetching a token, refreshing it, retrying once), it ends within
`call_budget` seconds (10 by default).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from .errors import (
    InvalidToken,
    MiniProgramError,
    ResponseTimeout,
    TransportError,
)
from .results import PhoneInfo, SendResult, Session
from .token_cache import CachedToken, MemoryTokenCache, TokenCache
from .transport import decode_answer, encode_json, transport_error

log = logging.getLogger("mini_program_api")

DEFAULT_API_BASE = "https://api.weixin.qq.com"
CODE2SESSION_PATH = "/sns/jscode2session"
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
SUBSCRIBE_SEND_PATH = "/cgi-bin/message/subscribe/send"
PHONE_NUMBER_PATH = "/wxa/business/getuserphonenumber"

# WeChat renews a token 5 minutes before it expires; fetching in that window
# picks up the new one instead of using one that is about to die.
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)
_MIN_TIMEOUT = 0.05
_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class MiniProgramClient:
    """One mini-program's server API. Thread-safe; close it (or use `with`) when done.

    `timeout` is (connect, read) for each HTTP request; `call_budget` bounds a
    whole method call, token fetch and retry included, and clips the timeouts
    to what is left of it.
    """

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base: str = DEFAULT_API_BASE,
        token_cache: TokenCache | None = None,
        timeout: float | tuple[float, float] = (3.05, 10),
        session: requests.Session | None = None,
        *,
        call_budget: float = 10.0,
    ) -> None:
        self.appid = appid
        self._secret = secret
        self.api_base = api_base.rstrip("/")
        self._cache: TokenCache = token_cache if token_cache is not None else MemoryTokenCache()
        self._connect_timeout, self._read_timeout = (
            timeout if isinstance(timeout, tuple) else (timeout, timeout)
        )
        if call_budget <= 0:
            raise ValueError("call_budget must be positive")
        self._budget = call_budget
        self._owns_http = session is None
        self._http = session if session is not None else requests.Session()
        self._refresh_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MiniProgramClient(appid={self.appid!r}, api_base={self.api_base!r})"

    def close(self) -> None:
        """Close the HTTP session, unless the caller passed its own."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> MiniProgramClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def code2session(self, js_code: str) -> Session:
        """Exchange a wx.login code. Raises InvalidCode for unknown or used codes."""
        params = {
            "appid": self.appid,
            "secret": self._secret,
            "js_code": js_code,
            "grant_type": "authorization_code",
        }
        answer = self._request("GET", CODE2SESSION_PATH, params=params)
        openid, session_key = answer.get("openid"), answer.get("session_key")
        if not isinstance(openid, str) or not isinstance(session_key, str):
            raise MiniProgramError(None, "code2session answer lacks openid or session_key")
        return Session(openid, session_key, answer.get("unionid") or None)

    def access_token(self, force_refresh: bool = False) -> str:
        """The cached token while it has more than 5 minutes left, else a fetched one."""
        return self._token(force_refresh, self._deadline())

    def send_subscribe_message(
        self,
        touser: str,
        template_id: str,
        data: dict[str, str],
        page: str | None = None,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
    ) -> SendResult:
        """Send one subscribe message, spending one of the user's grants.

        `data` maps keys to plain strings (see values.fit_value). Raises NoGrant,
        InvalidData, ... and ResponseTimeout when the message may have gone out.
        """
        body: dict[str, Any] = {
            "touser": touser,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            "miniprogram_state": miniprogram_state,
            "lang": lang,
        }
        if page is not None:
            body["page"] = page
        answer = self._request("POST", SUBSCRIBE_SEND_PATH, body=body, with_token=True)
        return SendResult(answer.get("msgid"))

    def get_phone_number(self, code: str) -> PhoneInfo:
        """The phone number behind a getPhoneNumber code. Raises InvalidPhoneCode."""
        answer = self._request("POST", PHONE_NUMBER_PATH, body={"code": code}, with_token=True)
        return PhoneInfo.from_answer(answer.get("phone_info"), self.appid)

    def _deadline(self) -> float:
        return time.monotonic() + self._budget

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        with_token: bool = False,
    ) -> dict[str, Any]:
        """One API call; with a token, a rejected token is replaced and the call retried once."""
        deadline = self._deadline()
        if not with_token:
            return self._exchange(method, path, params, body, deadline)
        token = self._token_before_sending(None, deadline)
        try:
            return self._exchange(method, path, {"access_token": token}, body, deadline)
        except InvalidToken as error:
            log.info("WeChat rejected the access token (errcode %s), refreshing", error.errcode)
        # Retried outside the except block so a second failure is not chained to the first.
        token = self._token_before_sending(token, deadline)
        return self._exchange(method, path, {"access_token": token}, body, deadline)

    def _token_before_sending(self, rejected: str | None, deadline: float) -> str:
        """A token for a call not sent yet; a hung token fetch makes the call safe to retry."""
        try:
            if rejected is None:
                return self._token(False, deadline)
            return self._replace_rejected_token(rejected, deadline)
        except ResponseTimeout:
            error = TransportError(None, "no answer while fetching the access token; not sent")
        raise error

    def _token(self, force_refresh: bool, deadline: float) -> str:
        if not force_refresh:
            cached = self._cache.get(self.appid)
            if cached is not None and _is_fresh(cached):
                return cached.token
        return self._fetch_token(force_refresh, deadline)

    def _replace_rejected_token(self, rejected: str, deadline: float) -> str:
        # One thread refreshes at a time, so concurrent rejections cost one force refresh
        # (limited to 20 a day), not one each.
        with self._refresh_lock:
            cached = self._cache.get(self.appid)
            if cached is not None and cached.token != rejected and _is_fresh(cached):
                return cached.token
            token = self._fetch_token(False, deadline)
            if token == rejected:
                token = self._fetch_token(True, deadline)
            return token

    def _fetch_token(self, force_refresh: bool, deadline: float) -> str:
        body = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self._secret,
            "force_refresh": force_refresh,
        }
        answer = self._exchange("POST", STABLE_TOKEN_PATH, None, body, deadline)
        token, expires_in = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise MiniProgramError(None, "stable_token answer lacks access_token or expires_in")
        self._cache.set(self.appid, token, datetime.now(UTC) + timedelta(seconds=expires_in))
        return token

    def _exchange(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        deadline: float,
    ) -> dict[str, Any]:
        """One HTTP round trip: send, parse, turn a non-zero errcode into an exception."""
        started = time.monotonic()
        secrets = (self._secret, (params or {}).get("access_token"))
        try:
            response = self._send(method, path, params, body, deadline)
            with response:
                answer = decode_answer(response, path, secrets)
        except MiniProgramError as error:
            log.warning(
                "WeChat %s %s failed: %s errcode=%s (%.0f ms)",
                method,
                path,
                type(error).__name__,
                error.errcode,
                (time.monotonic() - started) * 1000,
            )
            raise
        log.info("WeChat %s %s ok (%.0f ms)", method, path, (time.monotonic() - started) * 1000)
        return answer

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        deadline: float,
    ) -> requests.Response:
        timeout = self._timeouts(deadline)
        try:
            return self._http.request(
                method,
                self.api_base + path,
                params=params,
                data=encode_json(body) if body is not None else None,
                headers=_JSON_HEADERS if body is not None else None,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            error = transport_error(exc)
        # Raised outside the except block: the requests exception names the URL,
        # whose query string holds the secret or the access token.
        raise error

    def _timeouts(self, deadline: float) -> tuple[float, float]:
        """(connect, read) timeouts that keep the whole call within its budget."""
        remaining = deadline - time.monotonic()
        connect = min(self._connect_timeout, remaining / 2)
        read = min(self._read_timeout, remaining - connect)
        if read < _MIN_TIMEOUT:
            raise TransportError(None, "the call's time budget ran out before WeChat was called")
        return connect, read


def _is_fresh(cached: CachedToken) -> bool:
    return cached.expires_at - datetime.now(UTC) > TOKEN_REFRESH_MARGIN
