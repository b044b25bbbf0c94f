"""One exception tree for everything that can go wrong when talking to WeChat.

`retryable` tells a caller whether the same call may simply be repeated later:
true when WeChat said it is busy or when the request never left this machine,
false whenever the request may already have had its effect.
"""

from __future__ import annotations

from typing import ClassVar

from ._redact import scrub


class MiniProgramError(Exception):
    """WeChat refused or failed a call. `errcode` is None when WeChat gave no code."""

    retryable: ClassVar[bool] = False

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        # Scrubbed here too, so an error built anywhere cannot carry a phone number.
        self.errcode = errcode
        self.errmsg = scrub(errmsg)
        super().__init__(errcode, self.errmsg)

    def __str__(self) -> str:
        if self.errcode is None:
            return self.errmsg
        return f"WeChat error {self.errcode}: {self.errmsg}"


class InvalidCode(MiniProgramError):
    """The wx.login code is unknown, expired (40029) or already used (40163)."""


class RiskyUser(MiniProgramError):
    """WeChat blocked a high-risk user (40226)."""


class RateLimited(MiniProgramError):
    """Too many calls (45011); the same call works again later."""

    retryable = True


class Busy(MiniProgramError):
    """WeChat answered -1 or an HTTP 5xx: transient, retry later."""

    retryable = True


class InvalidToken(MiniProgramError):
    """The access token was rejected (40001, 40014) or expired (42001)."""


class QuotaExceeded(MiniProgramError):
    """The daily quota of this API is spent (45009); do not retry today."""


class NoGrant(MiniProgramError):
    """The user has no subscription grant left for this template (43101); never retry."""


class InvalidData(MiniProgramError):
    """A template data value breaks its key's rule (47003), or the body is malformed."""


class InvalidOpenid(MiniProgramError):
    """The openid is not a user of this mini-program (40003)."""


class InvalidTemplate(MiniProgramError):
    """The template id is not one of this mini-program's templates (40037)."""


class InvalidPage(MiniProgramError):
    """The page path of a subscribe message is not a page of the mini-program (41030)."""


class InvalidPhoneCode(MiniProgramError):
    """The getPhoneNumber code is unknown, used or expired (40029), or for another app (40013)."""


class InvalidCredentials(MiniProgramError):
    """The configured appid (40013) or secret (40125) is wrong: a configuration problem."""


class TransportError(MiniProgramError):
    """The request never reached WeChat (connection refused, DNS, TLS, connect timeout).

    Nothing was sent, so the call is safe to repeat.
    """

    retryable = True


class ResponseTimeout(MiniProgramError):
    """The request was sent but no answer came (read timeout, connection dropped).

    WeChat may have acted on it (a message may have been delivered), so callers
    must not repeat the call.
    """


_BY_CODE: dict[int, type[MiniProgramError]] = {
    -1: Busy,
    40001: InvalidToken,
    40003: InvalidOpenid,
    40013: InvalidCredentials,
    40014: InvalidToken,
    40029: InvalidCode,
    40037: InvalidTemplate,
    40125: InvalidCredentials,
    40163: InvalidCode,
    40226: RiskyUser,
    41030: InvalidPage,
    42001: InvalidToken,
    43101: NoGrant,
    45009: QuotaExceeded,
    45011: RateLimited,
    47003: InvalidData,
}

# The same code means something else on some endpoints: on the phone-number API,
# 40029 is a bad phone code rather than a bad login code.
_BY_PATH: dict[str, dict[int, type[MiniProgramError]]] = {
    "/wxa/business/getuserphonenumber": {40029: InvalidPhoneCode, 40013: InvalidPhoneCode},
}


def error_for(errcode: int | None, errmsg: str, path: str | None = None) -> MiniProgramError:
    """The exception for an `errcode` WeChat answered on `path` (the URL path, no query)."""
    if errcode is None:
        return MiniProgramError(None, errmsg)
    overrides = _BY_PATH.get(path or "", {})
    cls = overrides.get(errcode) or _BY_CODE.get(errcode, MiniProgramError)
    return cls(errcode, errmsg)
