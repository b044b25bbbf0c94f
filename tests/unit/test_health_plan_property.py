"""The health plan engine against an independent day-by-day simulation of its rules.

The simulation reads the schedule's data (items, intervals, catch-up and special-group
rules, products) but none of the engine's helpers: month arithmetic and every "first day
such that ..." are re-done here.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parentapp.services.health.plan import plan_items
from parentapp.services.health.schedule_files import load_schedule

SCHEDULE = load_schedule("cn-nip-2025")
ITEMS = {item.code: item for item in SCHEDULE.items}
TABLE_ORDER = {item.code: i for i, item in enumerate(SCHEDULE.items)}
ENDS_ITEM = {"not_given_after", "replaced_after", "window_ends"}
ONE_DAY = timedelta(days=1)
D = date.fromisoformat


# --- calendar arithmetic, written independently of parentapp.timeutil ---------------

def months_later(start: date, months: int) -> date:
    """Same day-of-month ``months`` later, stepping back to the month's last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month, day = index // 12, index % 12 + 1, start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def age_date(age, start: date) -> date:
    return months_later(start, age.months) + timedelta(days=age.days)


def last_day(age, birth: date) -> date:
    """"Before N months" ends the day before; "within N days" is birth + N days."""
    end = age_date(age, birth)
    return end - ONE_DAY if age.months > 0 else end


def first_day_from(start: date, ok) -> date:
    day = start
    while not ok(day):
        day += ONE_DAY
    return day


# --- the simulation ------------------------------------------------------------------

class Child:
    def __init__(self, birth, today, choices, records, products, hbsag, weight):
        self.birth, self.today, self.choices = birth, today, choices
        self.records, self.products = records, products
        self.hbsag, self.weight = hbsag, weight
        self.memo: dict[str, date] = {}

    def covers(self, births) -> bool:
        return ((births.born_from is None or self.birth >= births.born_from)
                and (births.born_before is None or self.birth < births.born_before))

    def planned(self) -> list[str]:
        chosen = {SCHEDULE.choices[key].series: variant for key, variant in self.choices.items()}
        return [item.code for item in SCHEDULE.items
                if item.code in self.records
                or (not item.optional and item.variant == chosen.get(item.series)
                    and self.covers(item.births))]

    def due(self, code: str) -> date:
        item = ITEMS[code]
        start = self.birth
        if item.due_after is not None:
            start = self.records.get(item.due_after) or self.due(item.due_after)
        return age_date(item.due, start)

    def groups(self, code: str):
        for group in SCHEDULE.special_groups:
            hbsag_ok = group.hbsag_mother is None or self.hbsag in group.hbsag_mother
            weight_ok = group.weight_below_g is None or (
                self.weight is not None and self.weight < group.weight_below_g)
            if hbsag_ok and weight_ok and code in group.codes:
                yield group

    def latest(self, code: str) -> date | None:
        ends = [] if ITEMS[code].latest is None else [last_day(ITEMS[code].latest, self.birth)]
        ends += [last_day(g.latest, self.birth) for g in self.groups(code) if g.latest]
        return min(ends) if ends else None

    def catch_up(self, code: str):
        if code in self.records:
            return None
        found, found_key = None, None
        for rule in SCHEDULE.catch_up:
            starts = age_date(rule.age, self.birth)
            if code in rule.codes and self.covers(rule.births) and starts <= self.today:
                key = (starts, rule.rule in ENDS_ITEM)
                if found is None or key > found_key:
                    found, found_key = rule, key
        return found

    def to_do(self, code: str) -> bool:
        rule = self.catch_up(code)
        return code not in self.records and (rule is None or rule.rule not in ENDS_ITEM)

    def live(self, code: str) -> str | None:
        product = self.products.get(code)
        return SCHEDULE.products[product].live if product else ITEMS[code].live

    def earliest(self, code: str) -> date:
        if code not in self.memo:
            self.memo[code] = first_day_from(self.due(code), self.allowed_check(code))
        return self.memo[code]

    def allowed_check(self, code: str):
        """The test "may ``code`` be given on day d?" as a function of d."""
        if ITEMS[code].kind == "checkup":
            return lambda day: True
        floors = []  # (start, minimum age) pairs: d must be on or after age_date
        for interval in SCHEDULE.intervals.get(code, ()):
            if interval.after in self.records:
                floors.append(age_date(interval.minimum, self.records[interval.after]))
            elif interval.after in self.planned() and self.to_do(interval.after):
                floors.append(age_date(interval.minimum, self.earliest(interval.after)))
        if self.live(code) == "injectable":
            done_on = self.records.get(code)
            floors += [other_day + SCHEDULE.live_gap
                       for other, other_day in self.records.items()
                       if other != code and self.live(other) == "injectable"
                       and (done_on is None or other_day < done_on)]
        return lambda day: all(day >= floor for floor in floors)

    def status(self, code: str) -> str:
        if code in self.records:
            return "done"
        start = self.earliest(code)
        if self.today < start - timedelta(days=7):
            return "upcoming"
        return "due" if self.today <= start + timedelta(days=30) else "overdue"

    def row(self, code: str) -> tuple:
        latest, done_on, rule = self.latest(code), self.records.get(code), self.catch_up(code)
        return (code, self.due(code), latest, self.earliest(code), self.status(code),
                done_on is None and latest is not None and self.today > latest, done_on,
                self.products.get(code) if done_on else None,
                None if rule is None else (rule.rule, rule.message, rule.by),
                tuple((g.id, g.message, g.ask_clinic) for g in self.groups(code)))

    def plan(self) -> list[tuple]:
        def order(code):
            return (self.due(code), ITEMS[code].kind != "checkup", TABLE_ORDER[code])
        return [self.row(code) for code in sorted(self.planned(), key=order)]


def engine_rows(child: Child) -> list[tuple]:
    entries = plan_items(SCHEDULE, child.birth, choices=child.choices, records=child.records,
                         today=child.today, products=child.products,
                         hbsag_mother=child.hbsag, birth_weight_g=child.weight)
    return [(e.code, e.due_date, e.latest_date, e.earliest_date, e.status, e.past_latest,
             e.done_on, e.product,
             None if e.catch_up is None else (e.catch_up.rule, e.catch_up.message, e.catch_up.by),
             tuple((a.rule, a.message, a.ask_clinic) for a in e.advice)) for e in entries]


# --- random children -------------------------------------------------------------------

def days_between(start: date, end: date):
    return st.integers(0, (end - start).days).map(lambda n: start + timedelta(days=n))


@st.composite
def children(draw) -> Child:
    birth = draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)))
    today = draw(days_between(birth, months_later(birth, 84)))
    choices = {key: draw(st.sampled_from(choice.variants))
               for key, choice in SCHEDULE.choices.items()}
    child = Child(birth, today, choices, {}, {},
                  draw(st.sampled_from([None, "negative", "positive", "unknown"])),
                  draw(st.none() | st.sampled_from([1999, 2000]) | st.integers(1000, 4500)))
    for code in child.planned():  # each planned code is recorded or not, on a random day
        if draw(st.booleans()):
            child.records[code] = draw(days_between(birth, today))
    for _ in range(draw(st.integers(0, 3))):  # doses recorded through a product
        product = SCHEDULE.products[draw(st.sampled_from(sorted(SCHEDULE.products)))]
        done_on = draw(days_between(birth, today))
        for series in product.counts_as:
            code = draw(st.sampled_from([i.code for i in SCHEDULE.items if i.series == series]))
            child.records[code], child.products[code] = done_on, product.code
    return child


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children())
def test_the_engine_matches_a_day_by_day_simulation(child):
    assert engine_rows(child) == child.plan()


# --- examples a clinic cares about ---------------------------------------------------------

def plan_by_code(birth, today, records=None, products=None):
    entries = plan_items(SCHEDULE, D(birth), choices=None, records=records or {},
                         today=D(today), products=products)
    return {entry.code: entry for entry in entries}


def test_bopv_1_latest_is_the_day_before_twelve_months_from_31_january():
    # Born 2025-01-31: 12 months later is 2026-01-31, so "before 12 months" ends 2026-01-30.
    assert plan_by_code("2025-01-31", "2025-02-01")["bOPV-1"].latest_date == D("2026-01-30")


def test_je_l_1_waits_28_days_after_mmr_1():
    # Born 2025-01-31: JE-L-1 is due at 8 months, 2025-09-30. MMR-1 (injectable live) was
    # given 2025-10-01, so JE-L-1 may follow from 2025-10-01 + 28 days = 2025-10-29. Its
    # due band opens 7 days before, on 2025-10-22: on 2025-10-02 it is still upcoming.
    entry = plan_by_code("2025-01-31", "2025-10-02", {"MMR-1": D("2025-10-01")})["JE-L-1"]
    assert entry.due_date == D("2025-09-30")
    assert entry.earliest_date == D("2025-10-29"), (
        f"spec: JE-L-1 earliest 2025-10-29 (MMR-1 + 28 days); engine gives {entry.earliest_date}")
    assert entry.status == "upcoming", f"spec: upcoming on 2025-10-02; engine: {entry.status}"


def test_three_pentavalent_doses_make_bopv_1_done():
    # Each DTaP-IPV-Hib dose counts as the next DTaP dose and the next polio dose; the
    # polio series is IPV-1, IPV-2, bOPV-1, bOPV-2, so the third dose is bOPV-1.
    doses = {"2025-04-01": ("DTaP-1", "IPV-1"), "2025-06-01": ("DTaP-2", "IPV-2"),
             "2025-08-01": ("DTaP-3", "bOPV-1")}
    records = {code: D(day) for day, codes in doses.items() for code in codes}
    plan = plan_by_code("2025-01-31", "2025-08-02", records,
                        {code: "DTaP-IPV-Hib" for code in records})
    bopv_1 = plan["bOPV-1"]
    assert (bopv_1.status, bopv_1.done_on, bopv_1.product) == (
        "done", D("2025-08-01"), "DTaP-IPV-Hib")
    assert plan["bOPV-2"].done_on is None
