"""The configuration values services are given, read from the running app.

Services never read ``current_app``: they take plain values as arguments. The
edges that call them (views, console pages, jobs, commands) build those values
here from the app's configuration, so each setting is looked up in one place.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from parentapp.config import DEFAULT_LIMITS
from parentapp.services.accounts.tokens import TokenPolicy
from parentapp.services.health.schedule import Schedule
from parentapp.services.health.schedule_files import load_schedule
from parentapp.services.reminders.dispatch import DispatchConfig


def health_schedule() -> Schedule:
    """The vaccine and checkup schedule in force (``PARENTAPP_SCHEDULE_VERSION``, with the
    regional overlay of ``PARENTAPP_SCHEDULE_OVERLAY`` when set)."""
    config = current_app.config
    return load_schedule(config["SCHEDULE_VERSION"], config.get("SCHEDULE_OVERLAY"))


def subsidy_reminder_date() -> tuple[int, int]:
    """(month, day) of the yearly childcare subsidy reminder
    (``PARENTAPP_SUBSIDY_REMINDER_DATE``)."""
    return current_app.config["SUBSIDY_REMINDER_DATE"]


def offer_minutes() -> int:
    """How long a waitlist offer holds a place (``PARENTAPP_WAITLIST_OFFER_MINUTES``)."""
    return current_app.config["WAITLIST_OFFER_MINUTES"]


def limit(name: str) -> int:
    """One count of the contract's Limits table (``PARENTAPP_LIMITS`` over the defaults of
    ``config.DEFAULT_LIMITS``); 0 switches it off. Caps reach services as keyword
    arguments named like the limit, e.g. ``waitlist_per_child=limit("waitlist_per_child")``."""
    return current_app.config["LIMITS"].get(name, DEFAULT_LIMITS[name])


def wechat_templates() -> dict[str, str]:
    """Template kind -> WeChat template id (``PARENTAPP_WECHAT_TEMPLATES``)."""
    return dict(current_app.config["WECHAT_TEMPLATES"])


def token_policy() -> TokenPolicy:
    config = current_app.config
    return TokenPolicy(secret_key=config["SECRET_KEY"],
                       ttl=timedelta(seconds=config["TOKEN_TTL_SECONDS"]))


def dispatch_config() -> DispatchConfig:
    config = current_app.config
    lease = config.get("NOTIFY_LEASE_SECONDS")
    return DispatchConfig(
        templates=wechat_templates(), miniprogram_state=config["WECHAT_MINIPROGRAM_STATE"],
        retry_seconds=tuple(config["NOTIFY_RETRY_SECONDS"]),
        **({"lease": timedelta(seconds=lease)} if lease is not None else {}))
