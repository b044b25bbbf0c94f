"""Time in one place: business dates and hours are Asia/Shanghai, stored instants are
aware UTC, and calendar arithmetic (months, years, ages in whole months) follows one rule:
the same day of the month, clamped to the month's last day."""

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
    return add_years(day, -years)


def add_months(start: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to that month's last day."""
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def month_range(month: str) -> tuple[date, date]:
    """First and last day of a calendar month named ``"YYYY-MM"``."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def month_of(day: date) -> str:
    """The ``"YYYY-MM"`` name of the month ``day`` is in."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(now: datetime) -> str:
    """The ``"YYYY-MM"`` name of the local calendar month after ``now``'s."""
    return month_of(add_months(local_today(now).replace(day=1), 1))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def age_months(birth: date, on: date) -> int:
    """Whole months completed on ``on``: the largest n with add_months(birth, n) <= on.

    Raises ValueError when ``on`` is before ``birth``.
    """
    if on < birth:
        raise ValueError(f"{on} is before the birth date {birth}")
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months if add_months(birth, months) <= on else months - 1
