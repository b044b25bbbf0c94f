"""A child's health plan: vaccine doses and checkups with dates, status and advice.

Pure functions over a loaded ``Schedule``, the child's facts (birth date, vaccine
choices, mother's HBsAg status, birth weight) and the recorded items (code -> date
done, and the product a dose was recorded by). They never read the clock: callers
pass ``today`` (the Asia/Shanghai business day).

The dates of an item:

- ``due_date``: its due age from birth (or N days after an earlier item).
- ``latest_date``: the last day it is on time ("before 12 months" ends the day
  before the 12-month date; "within 1 day" is the day after birth), tightened by a
  special-group rule (HepB-1 within 12 hours: the day of birth).
- ``earliest_date``: the first day it may be given given what is recorded: not
  before ``due_date``, not before each minimum interval after the previous dose
  (its date, or its own earliest date while it is not recorded), and, for an
  injectable live vaccine, at least 28 days after every injectable live vaccine
  recorded on another (earlier) day. A dose not yet given counts its status bands
  from this date. Checkups have ``earliest_date == due_date``.

Decisions the contract leaves open:

- A parent may record any code the schedule defines, including the other
  variant of a choice (``recordable_codes``). A recorded item always shows in the
  plan, as ``done``; the chosen variants and non-optional items show whether
  recorded or not.
- A catch-up rule (``catch_up``) that says an undone item is no longer given, is
  replaced, or (a checkup) can no longer be done keeps the item in the plan with
  its status and the rule's message, but it is never reminded and never counted
  missing at a nursery's admission check.
- A done item is never ``past_latest``: the flag asks for action.
- Records under codes this schedule does not define (e.g. kept from another
  schedule version) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from parentapp.domain import HealthItemKind
from parentapp.services.health.schedule import (
    NOTHING_TO_DO,
    CatchUpRule,
    Schedule,
    ScheduleItem,
)

UPCOMING, DUE, OVERDUE, DONE = "upcoming", "due", "overdue", "done"
DUE_WINDOW_BEFORE = timedelta(days=7)
DUE_WINDOW_AFTER = timedelta(days=30)
GRACE_DAYS = 30
INJECTABLE = "injectable"
# On a shared visit the checkup comes before the vaccination.
_KIND_RANK = {HealthItemKind.CHECKUP: 0, HealthItemKind.VACCINE: 1}


class InvalidChoice(ValueError):
    """A vaccine choice names an unknown series or variant."""


@dataclass(frozen=True, slots=True)
class ChildFacts:
    """What the plan needs to know about a child."""

    birth_date: date
    choices: Mapping[str, str] | None = None
    hbsag_mother: str | None = None
    birth_weight_g: int | None = None


@dataclass(frozen=True, slots=True)
class CatchUp:
    rule: str
    message: str
    by: str | None


@dataclass(frozen=True, slots=True)
class Advice:
    rule: str
    message: str
    ask_clinic: bool


@dataclass(frozen=True, slots=True)
class PlanItem:
    code: str
    kind: str
    name: str
    due_date: date
    latest_date: date | None
    earliest_date: date
    status: str
    past_latest: bool
    done_on: date | None
    product: str | None = None
    catch_up: CatchUp | None = None
    advice: tuple[Advice, ...] = ()

    @property
    def to_do(self) -> bool:
        """Not done and still to be done (no catch-up rule says it is no longer given)."""
        return self.done_on is None and (
            self.catch_up is None or self.catch_up.rule not in NOTHING_TO_DO)


def recordable_codes(schedule: Schedule) -> frozenset[str]:
    """Codes a parent may record: every code the schedule defines, any variant."""
    return frozenset(schedule.by_code)


def resolve_choices(schedule: Schedule, choices: Mapping[str, str] | None) -> dict[str, str]:
    """Every choice of the schedule with its variant, defaults filled in.

    Raises InvalidChoice for an unknown choice key or variant.
    """
    given = dict(choices or {})
    unknown = sorted(set(given) - set(schedule.choices))
    if unknown:
        raise InvalidChoice(f"unknown vaccine choices {unknown}")
    resolved = {}
    for key, choice in schedule.choices.items():
        variant = given.get(key, choice.default)
        if variant not in choice.variants:
            raise InvalidChoice(f"{key} must be one of {list(choice.variants)}, not {variant!r}")
        resolved[key] = variant
    return resolved


def item_status(effective_date: date, today: date, done_on: date | None = None) -> str:
    """The contract's status band for one item, counted from its effective date."""
    if done_on is not None:
        return DONE
    if today < effective_date - DUE_WINDOW_BEFORE:
        return UPCOMING
    if today <= effective_date + DUE_WINDOW_AFTER:
        return DUE
    return OVERDUE


def is_past_latest(latest_date: date | None, today: date, done_on: date | None = None) -> bool:
    return done_on is None and latest_date is not None and today > latest_date


def planned_codes(schedule: Schedule, birth_date: date, choices: Mapping[str, str] | None,
                  records: Mapping[str, date]) -> list[str]:
    """Codes in this child's plan, in table order. Raises InvalidChoice."""
    chosen = {
        schedule.choices[key].series: variant
        for key, variant in resolve_choices(schedule, choices).items()
    }
    codes = []
    for item in schedule.items:
        wanted = (not item.optional and item.variant == chosen.get(item.series)
                  and item.births.covers(birth_date))
        if item.code in records or wanted:
            codes.append(item.code)
    return codes


def due_date(schedule: Schedule, item: ScheduleItem, birth_date: date,
             records: Mapping[str, date]) -> date:
    start = birth_date
    if item.due_after is not None:
        start = records.get(item.due_after) or due_date(
            schedule, schedule.by_code[item.due_after], birth_date, records)
    return item.due.date_from(start)


def catch_up_rule(schedule: Schedule, code: str, birth_date: date,
                  on: date) -> CatchUpRule | None:
    """The catch-up rule in force on ``on`` for an undone ``code``: of the rules whose age
    has come, the one of the greatest age (one that ends the item before advice)."""
    found: CatchUpRule | None = None
    found_from = date.min
    for rule in schedule.catch_up_by_code.get(code, ()):
        if not rule.births.covers(birth_date):
            continue
        starts = rule.age.date_from(birth_date)
        if starts > on:
            continue
        if found is None or (starts, rule.rule in NOTHING_TO_DO) > (
                found_from, found.rule in NOTHING_TO_DO):
            found, found_from = rule, starts
    return found


def plan_items(
    schedule: Schedule,
    birth_date: date,
    *,
    choices: Mapping[str, str] | None,
    records: Mapping[str, date],
    today: date,
    products: Mapping[str, str] | None = None,
    hbsag_mother: str | None = None,
    birth_weight_g: int | None = None,
) -> list[PlanItem]:
    """Every vaccine dose and checkup for this child, ordered by due date.

    ``products`` maps a recorded code to the product it was recorded by. Ties put
    checkups before vaccines, then keep the schedule's table order.
    Raises InvalidChoice.
    """
    known = {code: done for code, done in records.items() if code in schedule.by_code}
    products = products or {}
    groups = [group for group in schedule.special_groups
              if group.covers(hbsag_mother, birth_weight_g)]
    live_days = [done for code, done in known.items()
                 if _live(schedule, code, products.get(code)) == INJECTABLE]
    planned: dict[str, PlanItem] = {}
    for code in planned_codes(schedule, birth_date, choices, known):  # table order
        item, done_on = schedule.by_code[code], known.get(code)
        due = due_date(schedule, item, birth_date, known)
        earliest = _earliest(schedule, item, due, done_on, known, planned, live_days,
                             products.get(code))
        latest = item.latest.last_day_from(birth_date) if item.latest is not None else None
        advice = []
        for group in groups:
            if code in group.codes:
                advice.append(Advice(group.id, group.message, group.ask_clinic))
                if group.latest is not None:
                    tighter = group.latest.last_day_from(birth_date)
                    latest = tighter if latest is None else min(latest, tighter)
        rule = None if done_on is not None else catch_up_rule(schedule, code, birth_date, today)
        planned[code] = PlanItem(
            code=code, kind=item.kind, name=item.name, due_date=due, latest_date=latest,
            earliest_date=earliest, status=item_status(earliest, today, done_on),
            past_latest=is_past_latest(latest, today, done_on), done_on=done_on,
            product=products.get(code) if done_on is not None else None,
            catch_up=None if rule is None else CatchUp(rule.rule, rule.message, rule.by),
            advice=tuple(advice),
        )
    position = schedule.position
    return sorted(planned.values(), key=lambda entry: (
        entry.due_date, _KIND_RANK[entry.kind], position[entry.code]))


def missing_vaccinations(
    schedule: Schedule,
    birth_date: date,
    *,
    choices: Mapping[str, str] | None,
    records: Mapping[str, date],
    today: date,
    grace_days: int = GRACE_DAYS,
    products: Mapping[str, str] | None = None,
) -> list[str]:
    """Vaccine codes still to do whose earliest date plus the grace is before today."""
    limit = today - timedelta(days=grace_days)
    return [
        entry.code
        for entry in plan_items(schedule, birth_date, choices=choices, records=records,
                                today=today, products=products)
        if entry.kind == HealthItemKind.VACCINE and entry.to_do and entry.earliest_date < limit
    ]


def next_doses(schedule: Schedule, plan: list[PlanItem], series: str) -> list[PlanItem]:
    """The undone planned doses of ``series``, in the schedule's order."""
    return sorted((entry for entry in plan if entry.done_on is None
                   and schedule.by_code[entry.code].series == series),
                  key=lambda entry: schedule.position[entry.code])


def _earliest(schedule: Schedule, item: ScheduleItem, due: date, done_on: date | None,
              known: Mapping[str, date], planned: Mapping[str, PlanItem],
              live_days: list[date], product: str | None) -> date:
    if item.kind == HealthItemKind.CHECKUP:
        return due
    earliest = due
    for interval in schedule.intervals.get(item.code, ()):
        before = known.get(interval.after)
        if before is None:
            previous = planned.get(interval.after)
            if previous is None or not previous.to_do:
                continue  # not in this child's plan, or no longer given
            before = previous.earliest_date
        earliest = max(earliest, interval.minimum.date_from(before))
    if _live(schedule, item.code, product) == INJECTABLE:
        for day in live_days:
            if done_on is None or day < done_on:
                earliest = max(earliest, day + schedule.live_gap)
    return earliest


def _live(schedule: Schedule, code: str, product: str | None) -> str | None:
    if product is not None and product in schedule.products:
        return schedule.products[product].live
    return schedule.by_code[code].live
