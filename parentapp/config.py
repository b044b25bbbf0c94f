"""The only module that reads the environment.

Every setting has the contract's name with the ``PARENTAPP_`` prefix. A
``Config`` object is built once per app; tests pass overrides as a dict.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

SANDBOX_TEMPLATES = {
    "vaccine": "sandbox-tpl-vaccine",
    "checkup": "sandbox-tpl-checkup",
    "booking": "sandbox-tpl-booking",
    "class": "sandbox-tpl-class",
}
SANDBOX_APPID = "wx-sandbox-appid"
SANDBOX_SECRET = "sandbox-secret"
SANDBOX_API_BASE = "http://127.0.0.1:5001"
_WEAK_SECRETS = {"", "dev", "change-me", "secret", "changeme"}

# The contract's "Limits" table, name -> default count; PARENTAPP_LIMITS overrides
# any of them and 0 switches one off. The windows of the rate limits are in
# parentapp/rate_limits.py; the caps are counted by the services.
DEFAULT_LIMITS = {
    "login_failures": 5,            # failed password logins per username, 15 minutes
    "logins_per_ip": 30,            # password logins per client IP, a minute
    "wechat_logins_per_ip": 60,     # POST /auth/wechat-login per client IP, a minute
    "bookings_per_minute": 20,      # POST /bookings per user, a minute
    "future_slots_per_child": 100,  # active future booked slots per child
    "children_per_guardian": 6,     # children a user is guardian of
    "waitlist_per_child": 10,       # live waitlist entries per child
    "class_places_per_family": 20,  # class enrollments + class waitlist places per user
    "invite_attempts": 10,          # POST /invites/accept per user, a minute
    "people_per_child": 6,          # people of one child
    "guardians_per_child": 2,       # guardians of one child
}


class ConfigError(RuntimeError):
    """The environment cannot run the app (e.g. production without a secret)."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PARENTAPP_{name}", default)


def _retry_seconds(raw: str) -> list[int]:
    try:
        values = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(f"PARENTAPP_NOTIFY_RETRY_SECONDS is not integers: {raw}") from exc
    if not values or any(v <= 0 for v in values):
        raise ConfigError("PARENTAPP_NOTIFY_RETRY_SECONDS needs positive integers")
    return values


def _json_object(name: str, raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"PARENTAPP_{name} is not a JSON object") from exc
    if not isinstance(value, dict):
        raise ConfigError(f"PARENTAPP_{name} is not a JSON object")
    return value


def _templates(raw: str | None) -> dict[str, str]:
    if not raw:
        return dict(SANDBOX_TEMPLATES)
    value = _json_object("WECHAT_TEMPLATES", raw)
    missing = set(SANDBOX_TEMPLATES) - set(value)
    if missing:
        raise ConfigError(f"PARENTAPP_WECHAT_TEMPLATES needs ids for {sorted(missing)}")
    return {kind: str(value[kind]) for kind in SANDBOX_TEMPLATES}


def _limits(raw: str | None) -> dict[str, int]:
    if not raw:
        return dict(DEFAULT_LIMITS)
    value = _json_object("LIMITS", raw)
    unknown = sorted(set(value) - set(DEFAULT_LIMITS))
    if unknown:
        raise ConfigError(f"PARENTAPP_LIMITS names unknown limits {unknown}")
    bad = sorted(name for name, count in value.items()
                 if isinstance(count, bool) or not isinstance(count, int) or count < 0)
    if bad:
        raise ConfigError(f"PARENTAPP_LIMITS needs integers of 0 or more for {bad}")
    return {**DEFAULT_LIMITS, **value}


def _trusted_proxies(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ConfigError("PARENTAPP_TRUSTED_PROXIES must be an integer of 0 or more")
    return int(raw)


def _secret_key(env: str) -> str:
    key = _env("SECRET_KEY")
    if env == "production" and (key is None or key in _WEAK_SECRETS or len(key) < 32):
        raise ConfigError(
            "PARENTAPP_SECRET_KEY must be set to a random value of at least 32 characters "
            "in production"
        )
    if key:
        return key
    log.warning("PARENTAPP_SECRET_KEY is not set: using a random key; tokens end at restart")
    return secrets.token_urlsafe(48)


def _month_day(raw: str) -> tuple[int, int]:
    """``PARENTAPP_SUBSIDY_REMINDER_DATE``: a day of every year as ``MM-DD``."""
    try:
        month, day = (int(part) for part in raw.split("-"))
        date(2025, month, day)  # a day every year has (no 29 February)
    except ValueError:
        raise ConfigError("PARENTAPP_SUBSIDY_REMINDER_DATE must be a day of the year as MM-DD, "
                          "e.g. 01-05") from None
    return month, day


def _schedule_overlay() -> str | None:
    """``PARENTAPP_SCHEDULE_OVERLAY``: the path of a regional overlay file, or None.

    The file itself is read and checked when the app starts (``load_schedule``), so a
    missing or broken one stops start-up with ``ScheduleDataError`` naming it.
    """
    raw = _env("SCHEDULE_OVERLAY")
    if raw is None or not raw.strip():
        return None
    if raw != raw.strip():
        raise ConfigError("PARENTAPP_SCHEDULE_OVERLAY must be a file path without "
                          "surrounding spaces")
    return raw


def _log_format() -> str:
    fmt = _env("LOG_FORMAT", "json")
    if fmt not in {"json", "text"}:
        raise ConfigError("PARENTAPP_LOG_FORMAT must be json or text")
    return fmt


def load_config(instance_path: str) -> dict:
    """Read the environment into a Flask config mapping."""
    env = _env("ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigError("PARENTAPP_ENV must be development, production or testing")
    default_db = "sqlite:///" + str(Path(instance_path) / "parentapp.sqlite3")
    state = _env("WECHAT_MINIPROGRAM_STATE", "formal")
    if state not in {"developer", "trial", "formal"}:
        raise ConfigError("PARENTAPP_WECHAT_MINIPROGRAM_STATE must be developer, trial or formal")
    return {
        "PARENTAPP_ENV": env,
        "SECRET_KEY": _secret_key(env),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        "WECHAT_APPID": _env("WECHAT_APPID", SANDBOX_APPID),
        "WECHAT_SECRET": _env("WECHAT_SECRET", SANDBOX_SECRET),
        "WECHAT_API_BASE": _env(
            "WECHAT_API_BASE",
            "https://api.weixin.qq.com" if env == "production" else SANDBOX_API_BASE,
        ),
        "WECHAT_TEMPLATES": _templates(_env("WECHAT_TEMPLATES")),
        "WECHAT_MINIPROGRAM_STATE": state,
        "WAITLIST_OFFER_MINUTES": int(_env("WAITLIST_OFFER_MINUTES", "120")),
        "NOTIFY_RETRY_SECONDS": _retry_seconds(_env("NOTIFY_RETRY_SECONDS", "60,300,1800,7200")),
        "SCHEDULE_VERSION": _env("SCHEDULE_VERSION", "cn-nip-2025"),
        "SCHEDULE_OVERLAY": _schedule_overlay(),
        "SUBSIDY_REMINDER_DATE": _month_day(_env("SUBSIDY_REMINDER_DATE", "01-05")),
        "TOKEN_TTL_SECONDS": 7 * 24 * 3600,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "LOCK_TIMEOUT_MS": int(_env("LOCK_TIMEOUT_MS", "3000")),
        "LOG_FORMAT": _log_format(),
        # The console's cookie. Flask predefines these keys, so they are set here (a
        # setdefault would keep Flask's), where a caller's explicit override still wins.
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "LIMITS": _limits(_env("LIMITS")),
        "TRUSTED_PROXIES": _trusted_proxies(_env("TRUSTED_PROXIES", "0")),
        # Flask-Limiter's own settings: the rate-limit counters live in Redis when
        # PARENTAPP_REDIS_URL is set, so every worker and host shares them.
        "RATELIMIT_STORAGE_URI": _env("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "parentapp",
        "RATELIMIT_ENABLED": True,
    }
