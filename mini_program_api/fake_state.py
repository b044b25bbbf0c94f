"""The fake WeChat server's state and control methods, without HTTP (see fake_server.py).

One lock guards everything, so a threaded server and in-process test code can
use the same instance at once.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .fake_rules import (
    ENDPOINTS,
    RULES,
    Failures,
    FakeApp,
    FakeData,
    Injection,
    IssuedCode,
    Rejection,
    SentMessage,
)

# The data keys each kind of template carries (the API contract's "WeChat messages" table).
CONTRACT_TEMPLATE_KEYS: dict[str, tuple[str, ...]] = {
    "vaccine": ("thing1", "date2", "name3", "thing4"),
    "checkup": ("thing1", "date2", "name3", "thing4"),
    "booking": ("thing1", "time2", "phrase3", "name4", "thing5"),
    "class": ("thing1", "time2", "thing3", "thing4"),
}


class FakeState:
    """A mini-program as WeChat sees it: users, codes, tokens, grants, sent messages."""

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        templates: Mapping[str, str] | Iterable[str] = (),
        template_keys: Mapping[str, Sequence[str]] | None = None,
        sandbox: bool = False,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`templates` maps kind -> template id (or just lists ids); `template_keys` maps
        kind -> the data keys a message must carry, by default the contract's table."""
        kinds = dict(templates) if isinstance(templates, Mapping) else {t: t for t in templates}
        keys = CONTRACT_TEMPLATE_KEYS if template_keys is None else template_keys
        required = {tid: tuple(keys.get(kind, ())) for kind, tid in kinds.items()}
        self.app = FakeApp(appid, secret, required, sandbox)
        self.templates = kinds
        self._seed = seed
        self._clock = clock
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._data = FakeData()

    @property
    def appid(self) -> str:
        return self.app.appid

    def reset(self) -> None:
        """Forget everything but the configuration; the random sequence starts over."""
        with self._lock:
            self._data = FakeData()
            self._random = random.Random(self._seed)

    def issue_login_code(self, openid: str, *, unionid: str | None = None) -> str:
        """A wx.login code that code2session exchanges for `openid`, once, within 5 minutes."""
        return self._issue(self._data.login_codes, {"openid": openid, "unionid": unionid})

    def issue_phone_code(
        self,
        pure_phone_number: str,
        country_code: str = "86",
        *,
        numeric_country_code: bool = False,
        watermark_appid: str | None = None,
    ) -> str:
        """A getPhoneNumber code. WeChat sends countryCode sometimes as a number."""
        prefix = "" if country_code == "86" else f"+{country_code}"
        payload = {
            "phoneNumber": prefix + pure_phone_number,
            "purePhoneNumber": pure_phone_number,
            "countryCode": int(country_code) if numeric_country_code else country_code,
            "watermark_appid": watermark_appid or self.appid,
        }
        return self._issue(self._data.phone_codes, payload)

    def _issue(self, codes: dict[str, IssuedCode], payload: dict[str, Any]) -> str:
        code = secrets.token_hex(16)
        with self._lock:
            codes[code] = IssuedCode(payload, self._clock())
        return code

    def grant(self, openid: str, template_id: str, count: int = 1) -> int:
        """The user accepted `count` one-time subscriptions; answers the grants left."""
        if template_id not in self.app.template_keys:
            raise ValueError(f"unknown template id {template_id!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._data.openids.add(openid)  # only a user of the mini-program can subscribe
            self._data.grants[(openid, template_id)] += count
            return self._data.grants[(openid, template_id)]

    def grants_left(self, openid: str, template_id: str) -> int:
        with self._lock:
            return self._data.grants[(openid, template_id)]

    def invalidate_token(self) -> None:
        """The current access token stops working; the next stable_token call issues another."""
        with self._lock:
            if self._data.current_token is not None:
                self._data.tokens.pop(self._data.current_token, None)
            self._data.current_token = None

    def set_failures(
        self,
        *,
        fail_rate: float = 0.0,
        http_500_rate: float = 0.0,
        hang_rate: float = 0.0,
        hang_seconds: float = 15.0,
        endpoints: Iterable[str] | None = None,
    ) -> None:
        """Replace the random failure knobs; all zero (the default) means no failures."""
        chosen = None if endpoints is None else frozenset(_known(e) for e in endpoints)
        failures = Failures(fail_rate, http_500_rate, hang_rate, hang_seconds, chosen)
        with self._lock:
            self._data.failures = failures

    def fail_next(
        self, endpoint: str, errcode: int = -1, times: int = 1, errmsg: str | None = None
    ) -> None:
        """Answer the next `times` requests to `endpoint` with `errcode`, whatever they ask."""
        injection = Injection("errcode", errcode, errmsg or f"injected error {errcode}")
        with self._lock:
            self._data.scripted[_known(endpoint)].extend([injection] * times)

    def messages(self) -> list[SentMessage]:
        """Every message delivered (including those whose answer hung), oldest first."""
        with self._lock:
            return list(self._data.messages)

    def message_counts(self) -> dict[tuple[str, str], int]:
        """How many messages each (openid, template id) received."""
        with self._lock:
            return dict(Counter((m.touser, m.template_id) for m in self._data.messages))

    def calls(self) -> dict[str, int]:
        """Requests per endpoint, and `stable_token_force_refresh` for forced refreshes."""
        with self._lock:
            return dict(self._data.calls)

    def draw_injection(self, endpoint: str) -> Injection:
        """Count a request and decide whether it fails instead of, or besides, its answer."""
        with self._lock:
            self._data.calls[endpoint] += 1
            if self._data.scripted[endpoint]:
                return self._data.scripted[endpoint].popleft()
            failures = self._data.failures
            if failures.endpoints is not None and endpoint not in failures.endpoints:
                return Injection("none")
            roll = self._random.random()
        for kind, rate in (
            ("errcode", failures.fail_rate),
            ("http_500", failures.http_500_rate),
            ("hang", failures.hang_rate),
        ):
            if roll < rate:
                return Injection(kind, -1, "system error", failures.hang_seconds)
            roll -= rate
        return Injection("none")

    def answer(self, endpoint: str, params: Mapping[str, str], body: Any) -> dict[str, Any]:
        """What WeChat answers to a request; `body` is the decoded JSON, or None."""
        with self._lock:
            try:
                return RULES[endpoint](self.app, self._data, self._clock(), params, body)
            except Rejection as rejection:
                return rejection.answer()


def _known(endpoint: str) -> str:
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}")
    return endpoint
