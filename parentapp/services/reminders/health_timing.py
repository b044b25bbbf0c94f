"""When a child's vaccine and checkup reminders fall: pure functions, no database.

The contract's Reminders section: a reminder 3 days before an item's due date
at 09:00; one overdue reminder 14 days after it if still not recorded; items of
one child and kind whose reminders fall on the same day travel as one message;
nothing for moments more than 3 days past; a newly added child gets, instead of
everything it missed, one catch-up message per kind at the next moment a send
is allowed (items reminded later, e.g. an overdue reminder still ahead, keep
their own reminder).

An item counts from its effective date (the plan's ``earliest_date``: due age, minimum
intervals, the 28-day gap between live vaccines), and the reminder names that date as
the day from which it may be given. An item a catch-up rule ends (no longer given,
replaced, a checkup whose window has passed) is not reminded from the day the rule
applies; advice that needs a doctor travels with the item.

Planning looks ``HORIZON_DAYS`` ahead; ``next_plan_on`` says when the child's
next reminder comes into that horizon, so the planner skips the child until then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from parentapp.domain import VaccineChoice
from parentapp.services.health.plan import catch_up_rule, plan_items
from parentapp.services.health.schedule import NOTHING_TO_DO, Schedule
from parentapp.services.reminders.messages import HealthItem
from parentapp.services.reminders.quiet_hours import next_send_moment
from parentapp.timeutil import LOCAL_TZ, local_instant, local_today

DAYS_BEFORE_DUE = 3
DAYS_AFTER_DUE = 14
REMIND_AT = time(9, 0)
PAST_LIMIT = timedelta(days=3)
HORIZON_DAYS = 7
_BEFORE, _AFTER = timedelta(days=DAYS_BEFORE_DUE), timedelta(days=DAYS_AFTER_DUE)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    kind: str
    day: date  # the local day the message belongs to (part of its dedupe key)
    planned_at: datetime
    items: tuple[HealthItem, ...]


@dataclass(frozen=True, slots=True)
class ChildPlan:
    reminders: list[PlannedReminder]
    next_plan_on: date | None
    # Undone items of the plan: code -> effective date (to check rows planned earlier).
    open_items: dict[str, date]


def dedupe_key(child_id: int, kind: str, day: date) -> str:
    return f"health:{child_id}:{kind}:{day.isoformat()}"


def plan_child(schedule: Schedule, birth_date: date, *, choices: Mapping[str, str],
               records: Mapping[str, date], now: datetime, catch_up: bool,
               hbsag_mother: str | None = None,
               birth_weight_g: int | None = None) -> ChildPlan:
    """The reminders of one child from ``now`` to the horizon, grouped into messages.

    Memoised by what decides it (the child's facts, its records under codes the schedule
    knows, ``now`` and ``catch_up``): children alike share one plan, which callers must
    not change."""
    facts = (birth_date, choices.get("je", VaccineChoice.LIVE),
             choices.get("hepa", VaccineChoice.LIVE), hbsag_mother, birth_weight_g)
    known = (frozenset(records.items()) if records.keys() <= schedule.by_code.keys()
             else frozenset((code, done) for code, done in records.items()
                            if code in schedule.by_code))
    return _memo(("child", schedule.version, facts, known, now, catch_up),
                 lambda: _plan(schedule, facts, known, now, catch_up))


def _plan(schedule: Schedule, facts: tuple, known: frozenset, now: datetime,
          catch_up: bool) -> ChildPlan:
    birth_date = facts[0]
    today = local_today(now)
    horizon_end = today + timedelta(days=HORIZON_DAYS)
    # Reminder moments are 09:00 on a day: compare days, not instants.
    first_day = _first_day_at_or_after(now if catch_up else now - PAST_LIMIT)
    catch_up_at = next_send_moment(now)
    groups: dict[tuple[str, date], list[tuple[datetime, HealthItem]]] = defaultdict(list)
    open_items: dict[str, date] = {}
    later: date | None = None
    for item in _open_items(schedule, facts, known, today):
        due = item.earliest_date
        open_items[item.code] = due
        if due - _BEFORE > horizon_end:  # this and every later item are beyond the horizon
            later = min(later or date.max, due - _BEFORE)
            continue
        missed = False
        for stage, day in _moments(due):
            if day > horizon_end:
                later = day if later is None or day < later else later
            elif day < first_day:
                missed = True
            elif not _ended(schedule, item.code, birth_date, day):
                entry = HealthItem(item.code, item.name, due, stage, _advice(item))
                groups[(item.kind, day)].append((local_instant(day, REMIND_AT), entry))
        catch_up_day = local_today(catch_up_at)
        if catch_up and missed and not _ended(schedule, item.code, birth_date, catch_up_day):
            entry = HealthItem(item.code, item.name, due, "due" if due >= today else "overdue",
                               _advice(item))
            groups[(item.kind, catch_up_day)].append((catch_up_at, entry))
    reminders = [_reminder(kind, day, entries) for (kind, day), entries in sorted(groups.items())]
    next_plan_on = None if later is None else later - timedelta(days=HORIZON_DAYS)
    return ChildPlan(reminders, next_plan_on, open_items)


def _first_day_at_or_after(instant: datetime) -> date:
    """The first day whose 09:00 reminder moment is not before ``instant``."""
    local = instant.astimezone(LOCAL_TZ)
    return local.date() if local.time() <= REMIND_AT else local.date() + timedelta(days=1)


def _open_items(schedule: Schedule, facts: tuple, known: frozenset, today: date) -> list:
    """The child's plan items still to do, earliest effective date first (memoised: one
    plan serves every moment of the day)."""

    def compute():
        birth_date, je, hepa, hbsag_mother, birth_weight_g = facts
        plan = plan_items(schedule, birth_date, choices={"je": je, "hepa": hepa},
                          records=dict(known), today=today, hbsag_mother=hbsag_mother,
                          birth_weight_g=birth_weight_g)
        return sorted((item for item in plan if item.to_do),
                      key=lambda item: (item.earliest_date, item.code))

    return _memo(("plan", schedule.version, facts, known, today), compute)


def _ended(schedule: Schedule, code: str, birth_date: date, day: date) -> bool:
    rule = catch_up_rule(schedule, code, birth_date, day)
    return rule is not None and rule.rule in NOTHING_TO_DO


def _advice(item) -> str | None:
    """What a reminder adds for this item: a catch-up rule's or a doctor's advice."""
    notes = [advice.message for advice in item.advice if advice.ask_clinic]
    if item.catch_up is not None:
        notes.insert(0, item.catch_up.message)
    return "".join(notes) or None


# Pure functions of few distinct inputs (about 2,200 birth dates in six years, a handful
# of record patterns), memoised so planning many children costs little per child: a
# child's plan for a moment, and (beneath it) its open items for a day.
_MEMO: dict[tuple, object] = {}
_MEMO_LIMIT = 16384


def _memo(key: tuple, compute):
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        found = _MEMO[key] = compute()
    return found


def _moments(due: date) -> tuple[tuple[str, date], tuple[str, date]]:
    return ("due", due - _BEFORE), ("overdue", due + _AFTER)


def _reminder(kind: str, day: date, entries: list[tuple[datetime, HealthItem]]) -> PlannedReminder:
    # An item reminded twice on one day (catch-up and overdue) appears once.
    items: dict[str, HealthItem] = {}
    for _, item in sorted(entries, key=lambda e: (e[0], e[1].due, e[1].code)):
        items.setdefault(item.code, item)
    planned_at = min(moment for moment, _ in entries)
    ordered = sorted(items.values(), key=lambda item: (item.due.isoformat(), item.code))
    return PlannedReminder(kind, day, planned_at, tuple(ordered))
