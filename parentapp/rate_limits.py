"""Rate limits of the contract's "Limits" table: counts per time window, answered with
429 ``rate_limited``, ``Retry-After`` and ``details.limit``.

Each app gets its own Flask-Limiter instance, configured from ``RATELIMIT_*`` (Redis
when ``PARENTAPP_REDIS_URL`` is set, so every worker and host shares the counters;
memory otherwise). Views count a request with ``hit(name, key)`` where the key is
known: per client IP before anything else, per user after authentication, so a
refused booking is answered before its Idempotency-Key is claimed and never stored.

Failed password logins per username (``login_failures``) use counters of the same
storage: the fifth failure within 15 minutes locks that username for 15 minutes
(the right password included); a success before that resets the count. Known and
unknown usernames are counted alike, so the answer never tells which exist.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond
from werkzeug.middleware.proxy_fix import ProxyFix

from parentapp.errors import InvalidCredentials, RateLimited
from parentapp.service_settings import limit

log = logging.getLogger(__name__)

_EXTENSION = "parentapp.rate_limits"
# Seconds of each rate limit's window (its count is in config.DEFAULT_LIMITS).
WINDOW_SECONDS = {
    "logins_per_ip": 60,
    "wechat_logins_per_ip": 60,
    "bookings_per_minute": 60,
    "invite_attempts": 60,
}
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60  # failures counted from the first one
LOGIN_LOCK_SECONDS = 15 * 60

T = TypeVar("T")


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"] > 0:
        # Only then is X-Forwarded-For believed, for that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    # A moving window: "30 a minute" holds for any 60 seconds, not per clock minute.
    limiter = Limiter(key_func=get_remote_address, strategy="moving-window")
    limiter.init_app(app)
    app.extensions[_EXTENSION] = limiter


def client_ip() -> str:
    """The socket's address, or the one ProxyFix took from trusted proxy hops."""
    return get_remote_address()


def hit(name: str, key: str | int) -> None:
    """Count one request of ``key`` against the rate limit ``name``; raises RateLimited
    when that goes over the limit. A limit of 0 (or limits switched off) counts nothing."""
    limiter = _limiter()
    count = limit(name)
    if limiter is None or not count:
        return
    item = RateLimitItemPerSecond(count, WINDOW_SECONDS[name])
    identifiers = (_prefix(), name, str(key))
    if _storage_call(lambda: limiter.limiter.hit(item, *identifiers), default=True):
        return
    reset_at = _storage_call(lambda: limiter.limiter.get_window_stats(item, *identifiers)
                             .reset_time, default=time.time() + item.get_expiry())
    raise _refusal(name, reset_at)


def guarded_login(username: str, attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (a password login) unless ``username`` is locked; count its failure.

    Raises RateLimited (``login_failures``) while the username is locked, and whatever
    ``attempt`` raises.
    """
    limiter = _limiter()
    count = limit("login_failures")
    if limiter is None or not count:
        return attempt()
    storage = limiter.storage
    digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    failures_key = f"{_prefix()}/login_failures/{digest}"
    lock_key = f"{_prefix()}/login_lock/{digest}"
    if _storage_call(lambda: storage.get(lock_key), default=0):
        raise _refusal("login_failures",
                       _storage_call(lambda: storage.get_expiry(lock_key), default=time.time()))
    try:
        result = attempt()
    except InvalidCredentials:
        _storage_call(lambda: _count_failure(storage, failures_key, lock_key, count), default=None)
        raise
    _storage_call(lambda: storage.clear(failures_key), default=None)
    return result


def _count_failure(storage, failures_key: str, lock_key: str, count: int) -> None:
    if storage.incr(failures_key, LOGIN_FAILURE_WINDOW_SECONDS) >= count:
        storage.incr(lock_key, LOGIN_LOCK_SECONDS)
        storage.clear(failures_key)
        log.warning("a username was locked after %s failed password logins", count)


def _refusal(name: str, reset_at: float) -> RateLimited:
    seconds = max(1, math.ceil(reset_at - time.time()))
    if name == "login_failures":
        message = f"密码错误次数过多，该账号暂时不能登录，请 {math.ceil(seconds / 60)} 分钟后再试。"
    else:
        message = f"操作过于频繁，请 {seconds} 秒后再试。"
    return RateLimited(message, details={"limit": name, "retry_after": seconds},
                       headers={"Retry-After": str(seconds)})


def _storage_call(call: Callable[[], T], *, default: T) -> T:
    """Counters are a guard, not a dependency: when their storage is unreachable the
    request goes ahead (logged) rather than failing with a 500."""
    try:
        return call()
    except Exception:  # redis, or any other storage backend, is down
        log.exception("rate-limit storage unavailable; request not limited")
        return default


def _limiter() -> Limiter | None:
    limiter = current_app.extensions.get(_EXTENSION)
    return limiter if limiter is not None and limiter.enabled else None


def _prefix() -> str:
    return current_app.config["RATELIMIT_KEY_PREFIX"]
