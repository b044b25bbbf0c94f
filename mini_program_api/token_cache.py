"""Where the access token lives between calls.

WeChat wants one token shared by every process of an app (force refreshes are
limited to 20 a day), so the cache is pluggable: the client only needs `get`
and `set`. Any object with these two methods will do; the web app backs it
with its database.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class CachedToken:
    token: str = field(repr=False)
    expires_at: datetime  # aware, UTC


class TokenCache(Protocol):
    """Stores one access token per appid.

    `get` answers None when nothing is stored; it may return an expired token
    (the client checks `expires_at`). `set` replaces whatever was stored.
    Datetimes are timezone-aware UTC. Both may be called from several threads.
    """

    def get(self, appid: str) -> CachedToken | None: ...

    def set(self, appid: str, token: str, expires_at: datetime) -> None: ...


def _require_aware(expires_at: datetime) -> None:
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware (UTC)")


class MemoryTokenCache:
    """A cache for one process: tests, scripts, a single worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, CachedToken] = {}

    def get(self, appid: str) -> CachedToken | None:
        with self._lock:
            return self._tokens.get(appid)

    def set(self, appid: str, token: str, expires_at: datetime) -> None:
        _require_aware(expires_at)
        with self._lock:
            self._tokens[appid] = CachedToken(token, expires_at.astimezone(UTC))


class RedisTokenCache:
    """A cache shared by every process through Redis.

    Needs the optional `redis` package, imported only when this class is used.
    `client` lets callers pass an existing redis client instead of a URL.
    """

    def __init__(
        self, redis_url: str, *, prefix: str = "mini_program_api:token:", client: Any = None
    ) -> None:
        if client is None:
            import redis  # optional dependency: only needed by those who choose this cache

            client = redis.Redis.from_url(redis_url)
        self._redis = client
        self._prefix = prefix

    def get(self, appid: str) -> CachedToken | None:
        raw = self._redis.get(self._prefix + appid)
        if raw is None:
            return None
        stored = json.loads(raw)
        return CachedToken(stored["token"], datetime.fromisoformat(stored["expires_at"]))

    def set(self, appid: str, token: str, expires_at: datetime) -> None:
        _require_aware(expires_at)
        expires_at = expires_at.astimezone(UTC)
        stored = json.dumps({"token": token, "expires_at": expires_at.isoformat()})
        # Let Redis drop the entry when the token dies, so stale tokens never pile up.
        ttl = max(int((expires_at - datetime.now(UTC)).total_seconds()), 1)
        self._redis.set(self._prefix + appid, stored, ex=ttl)
