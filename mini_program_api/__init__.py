"""Client for the WeChat mini-program server API (no Flask inside).

The fake server for tests and local development is imported separately:
`from mini_program_api.fake_server import FakeWeChat, serve_in_thread`.
"""

from .client import DEFAULT_API_BASE, MiniProgramClient
from .errors import (
    Busy,
    InvalidCode,
    InvalidCredentials,
    InvalidData,
    InvalidOpenid,
    InvalidPage,
    InvalidPhoneCode,
    InvalidTemplate,
    InvalidToken,
    MiniProgramError,
    NoGrant,
    QuotaExceeded,
    RateLimited,
    ResponseTimeout,
    RiskyUser,
    TransportError,
    error_for,
)
from .results import PhoneInfo, SendResult, Session
from .token_cache import CachedToken, MemoryTokenCache, RedisTokenCache, TokenCache
from .values import fit_value, format_date, format_time, validate_value

__all__ = [
    "DEFAULT_API_BASE",
    "Busy",
    "CachedToken",
    "InvalidCode",
    "InvalidCredentials",
    "InvalidData",
    "InvalidOpenid",
    "InvalidPage",
    "InvalidPhoneCode",
    "InvalidTemplate",
    "InvalidToken",
    "MemoryTokenCache",
    "MiniProgramClient",
    "MiniProgramError",
    "NoGrant",
    "PhoneInfo",
    "QuotaExceeded",
    "RateLimited",
    "RedisTokenCache",
    "ResponseTimeout",
    "RiskyUser",
    "SendResult",
    "Session",
    "TokenCache",
    "TransportError",
    "error_for",
    "fit_value",
    "format_date",
    "format_time",
    "validate_value",
]
