"""Vaccine and checkup schedules as data: items, ages, choices, products, intervals,
catch-up and special-group rules.

Files are read and checked by ``schedule_files``; the plan built from them is in
``plan``.

Ages follow the domain's month rule: "N months" is the same day-of-month N
months later, clamped to that month's last day; years are 12 months.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

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
        return _age_date(start, self.months, self.days)

    def last_day_from(self, start: date) -> date:
        """The last day still "before" this age: the day before an N-month date, or for
        an age in days ("within N days") the N-th day itself."""
        if self.months:
            return self.date_from(start) - timedelta(days=1)
        return self.date_from(start)


@functools.lru_cache(maxsize=1 << 16)
def _age_date(start: date, months: int, days: int) -> date:
    # A plan asks for a few dozen ages of one birth date, and planning many children
    # asks for the same ones again: month arithmetic is the plan's main cost.
    return add_months(start, months) + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class BirthRange:
    """Children born from ``born_from`` (inclusive) to ``born_before`` (exclusive)."""

    born_from: date | None = None
    born_before: date | None = None

    def covers(self, birth_date: date) -> bool:
        return ((self.born_from is None or birth_date >= self.born_from)
                and (self.born_before is None or birth_date < self.born_before))


EVERYONE = BirthRange()


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
    live: str | None = None  # "injectable" | "oral" for live vaccines
    births: BirthRange = EVERYONE


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    series: str
    variants: tuple[str, ...]
    default: str


@dataclass(frozen=True, slots=True)
class Product:
    """A vaccine product a dose may be recorded by; counts as the next dose of each series."""

    code: str
    name: str
    counts_as: tuple[str, ...]
    live: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Interval:
    """At least ``minimum`` from dose ``after`` to dose ``before``."""

    after: str
    before: str
    minimum: Age
    confirmed: bool
    source: str


@dataclass(frozen=True, slots=True)
class CatchUpRule:
    """From ``age`` on, an undone item of ``codes`` is handled as ``rule`` says:

    ``not_given_after`` (no longer given), ``replaced_after`` (``by`` is given instead),
    ``ask_clinic_after`` (still given, but a doctor decides how) or ``window_ends``
    (a checkup that can no longer be done)."""

    rule: str
    codes: frozenset[str]
    age: Age
    by: str | None
    message: str
    confirmed: bool
    source: str
    births: BirthRange = EVERYONE


# Catch-up rules after which an undone item is no longer to be done at all.
NOTHING_TO_DO = frozenset({"not_given_after", "replaced_after", "window_ends"})


@dataclass(frozen=True, slots=True)
class SpecialGroupRule:
    """Applies to children whose mother's HBsAg status is in ``hbsag_mother`` (when set)
    and whose birth weight is below ``weight_below_g`` (when set)."""

    id: str
    hbsag_mother: frozenset[str] | None
    weight_below_g: int | None
    codes: frozenset[str]
    latest: Age | None
    message: str
    ask_clinic: bool
    confirmed: bool
    source: str

    def covers(self, hbsag_mother: str | None, birth_weight_g: int | None) -> bool:
        if self.hbsag_mother is not None and hbsag_mother not in self.hbsag_mother:
            return False
        return self.weight_below_g is None or (
            birth_weight_g is not None and birth_weight_g < self.weight_below_g)


@dataclass(frozen=True, slots=True)
class Overlay:
    """A deployment's regional additions to an edition (e.g. a province funding varicella)."""

    name: str
    title: str
    source: str


@dataclass(frozen=True, slots=True)
class Schedule:
    version: str
    title: str
    source: str
    valid_from: date
    items: tuple[ScheduleItem, ...]  # vaccines, then checkups, each in table order
    choices: Mapping[str, Choice]
    by_code: Mapping[str, ScheduleItem]
    products: Mapping[str, Product]
    intervals: Mapping[str, tuple[Interval, ...]]  # by the later dose's code
    catch_up: tuple[CatchUpRule, ...]
    special_groups: tuple[SpecialGroupRule, ...]
    live_gap: timedelta = timedelta(days=28)
    overlay: Overlay | None = None
    # Derived at construction: the catch-up rules of each code, each code's table position.
    catch_up_by_code: Mapping[str, tuple[CatchUpRule, ...]] = field(init=False)
    position: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        by_code: dict[str, list[CatchUpRule]] = {}
        for rule in self.catch_up:
            for code in rule.codes:
                by_code.setdefault(code, []).append(rule)
        object.__setattr__(self, "catch_up_by_code", MappingProxyType(
            {code: tuple(rules) for code, rules in by_code.items()}))
        object.__setattr__(self, "position", MappingProxyType(
            {item.code: index for index, item in enumerate(self.items)}))
