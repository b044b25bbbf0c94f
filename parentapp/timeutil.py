"""Business dates and hours are Asia/Shanghai; stored instants are aware UTC."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def local_instant(day: date, at: time) -> datetime:
    """The aware instant of a local wall-clock time on a business date."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def to_local_iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def years_before(day: date, years: int) -> date:
    """Same day-of-month ``years`` earlier, 29 February clamped to the 28th."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
