"""Vaccine and checkup schedules as data: items, ages, choices, skip rules, item dates.

Files are read and checked by ``schedule_files``.

Ages follow the domain's month rule: "N months" is the same day-of-month N
months later, clamped to that month's last day; years are 12 months.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from parentapp.timeutil import add_months


class ScheduleDataError(Exception):
    """A schedule file is missing, unreadable or inconsistent."""


class UnknownScheduleVersion(ScheduleDataError):
    """No schedule file exists for the requested version."""


@dataclass(frozen=True, slots=True)
class Age:
    """An age as months plus days; years are stored as 12 months."""

    months: int = 0
    days: int = 0

    def date_from(self, start: date) -> date:
        return add_months(start, self.months) + timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    code: str
    kind: str
    name: str
    due: Age
    latest: Age | None
    series: str | None
    variant: str | None
    optional: bool
    confirmed: bool
    note: str | None
    # When set, ``due`` counts from this earlier item's done date (or its due
    # date while it is not recorded) instead of from birth.
    due_after: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    series: str
    variants: tuple[str, ...]
    default: str


@dataclass(frozen=True, slots=True)
class SkipRule:
    """Drop ``skip`` once ``count`` distinct items of ``series`` are recorded."""

    skip: str
    series: str
    count: int


@dataclass(frozen=True, slots=True)
class Schedule:
    version: str
    title: str
    source: str
    valid_from: date
    items: tuple[ScheduleItem, ...]  # vaccines, then checkups, each in table order
    choices: Mapping[str, Choice]
    rules: tuple[SkipRule, ...]
    by_code: Mapping[str, ScheduleItem]


def item_dates(
    schedule: Schedule, birth_date: date, records: Mapping[str, date]
) -> dict[str, tuple[date, date | None]]:
    """Due and latest date of every item of the schedule, for one child."""
    dates: dict[str, tuple[date, date | None]] = {}
    for item in schedule.items:  # "after" refers to earlier items only
        start = birth_date
        if item.due_after is not None:
            start = records.get(item.due_after) or dates[item.due_after][0]
        latest = item.latest.date_from(birth_date) if item.latest is not None else None
        dates[item.code] = (item.due.date_from(start), latest)
    return dates
