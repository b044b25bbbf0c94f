"""WeChat sends wait between 21:00 and 08:00 Asia/Shanghai and go out at 08:00.

The in-app inbox is not affected: a row shows at its ``planned_at`` whatever
the hour. Only the dispatcher and the planners' ``send_after`` use this.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from parentapp.timeutil import LOCAL_TZ, local_instant

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def in_quiet_hours(instant: datetime) -> bool:
    clock = instant.astimezone(LOCAL_TZ).time()
    return clock >= QUIET_FROM or clock < QUIET_UNTIL


def next_send_moment(instant: datetime) -> datetime:
    """``instant`` itself when a send is allowed then, else the next 08:00 (aware UTC)."""
    if not in_quiet_hours(instant):
        return instant.astimezone(UTC)
    local = instant.astimezone(LOCAL_TZ)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return local_instant(day, QUIET_UNTIL).astimezone(UTC)


def next_morning(instant: datetime) -> datetime:
    """The first 08:00 strictly after ``instant`` (WeChat's daily quotas reset at midnight)."""
    local = instant.astimezone(LOCAL_TZ)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return local_instant(day, QUIET_UNTIL).astimezone(UTC)
