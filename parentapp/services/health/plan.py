"""A child's health plan: vaccine doses and checkups with dates and status.

Pure functions over a loaded ``Schedule``, a birth date, the family's vaccine
choices and the recorded items (code -> date done). They never read the clock:
callers pass ``today`` (the Asia/Shanghai business day).

Decisions the contract leaves open:

- A parent may record any code the schedule defines, including the other
  variant of a choice and the optional extra IPV doses (``recordable_codes``).
  A recorded item always shows in the plan, as ``done``; the chosen variants
  and non-optional items show whether recorded or not.
- A rule such as "4 IPV-containing doses make bOPV-2 unnecessary" removes the
  skipped item only while it is not itself recorded.
- A done item is never ``past_latest``: the flag asks for action.
- ``JE-I-2`` is due 7 days after ``JE-I-1`` was actually given once that is
  recorded (the doses go 7-10 days apart), else 7 days after its due date.
- Records under codes this schedule does not define (e.g. kept from another
  schedule version) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from parentapp.domain import HealthItemKind
from parentapp.services.health.schedule import Schedule, SkipRule, item_dates

UPCOMING, DUE, OVERDUE, DONE = "upcoming", "due", "overdue", "done"
DUE_WINDOW_BEFORE = timedelta(days=7)
DUE_WINDOW_AFTER = timedelta(days=30)
GRACE_DAYS = 30
# On a shared visit the checkup comes before the vaccination.
_KIND_RANK = {HealthItemKind.CHECKUP: 0, HealthItemKind.VACCINE: 1}


class InvalidChoice(ValueError):
    """A vaccine choice names an unknown series or variant."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    code: str
    kind: str
    name: str
    due_date: date
    latest_date: date | None
    status: str
    past_latest: bool
    done_on: date | None


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


def item_status(due_date: date, today: date, done_on: date | None = None) -> str:
    """The contract's status band for one item."""
    if done_on is not None:
        return DONE
    if today < due_date - DUE_WINDOW_BEFORE:
        return UPCOMING
    if today <= due_date + DUE_WINDOW_AFTER:
        return DUE
    return OVERDUE


def is_past_latest(latest_date: date | None, today: date, done_on: date | None = None) -> bool:
    return done_on is None and latest_date is not None and today > latest_date


def planned_codes(
    schedule: Schedule, choices: Mapping[str, str] | None, records: Mapping[str, date]
) -> list[str]:
    """Codes in this child's plan, in table order. Raises InvalidChoice."""
    chosen = {
        schedule.choices[key].series: variant
        for key, variant in resolve_choices(schedule, choices).items()
    }
    skipped = {rule.skip for rule in schedule.rules if _rule_fires(rule, schedule, records)}
    codes = []
    for item in schedule.items:
        wanted = not item.optional and item.variant == chosen.get(item.series)
        if item.code in records or (wanted and item.code not in skipped):
            codes.append(item.code)
    return codes


def plan_items(
    schedule: Schedule,
    birth_date: date,
    *,
    choices: Mapping[str, str] | None,
    records: Mapping[str, date],
    today: date,
) -> list[PlanItem]:
    """Every vaccine dose and checkup for this child, ordered by due date.

    Ties put checkups before vaccines, then keep the schedule's table order.
    Raises InvalidChoice.
    """
    known = {code: done for code, done in records.items() if code in schedule.by_code}
    dates = item_dates(schedule, birth_date, known)
    rank = {item.code: (_KIND_RANK[item.kind], i) for i, item in enumerate(schedule.items)}
    plan = []
    for code in planned_codes(schedule, choices, known):
        item, (due, latest), done_on = schedule.by_code[code], dates[code], known.get(code)
        plan.append(PlanItem(
            code=code, kind=item.kind, name=item.name, due_date=due, latest_date=latest,
            status=item_status(due, today, done_on),
            past_latest=is_past_latest(latest, today, done_on), done_on=done_on,
        ))
    plan.sort(key=lambda entry: (entry.due_date, rank[entry.code]))
    return plan


def missing_vaccinations(
    schedule: Schedule,
    birth_date: date,
    *,
    choices: Mapping[str, str] | None,
    records: Mapping[str, date],
    today: date,
    grace_days: int = GRACE_DAYS,
) -> list[str]:
    """Vaccine codes whose due date plus the grace is before today and not recorded."""
    limit = today - timedelta(days=grace_days)
    return [
        entry.code
        for entry in plan_items(schedule, birth_date, choices=choices, records=records, today=today)
        if entry.kind == HealthItemKind.VACCINE and entry.done_on is None and entry.due_date < limit
    ]


def _rule_fires(rule: SkipRule, schedule: Schedule, records: Mapping[str, date]) -> bool:
    doses = sum(
        1 for code in records
        if code in schedule.by_code and schedule.by_code[code].series == rule.series
    )
    return doses >= rule.count
