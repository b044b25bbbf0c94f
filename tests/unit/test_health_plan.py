"""A child's health plan from the cn-nip-2025 schedule; every date below is worked out by hand."""

from datetime import date

import pytest

from parentapp.services.health.plan import (
    InvalidChoice,
    item_status,
    missing_vaccinations,
    plan_items,
    recordable_codes,
    resolve_choices,
)
from parentapp.services.health.schedule_files import load_schedule

SCHEDULE = load_schedule("cn-nip-2025")
TODAY = date(2026, 11, 29)
D = date.fromisoformat
LIVE = {"je": "live", "hepa": "live"}
INACTIVATED = {"je": "inactivated", "hepa": "inactivated"}
LIVE_ONLY = {"JE-L-1", "JE-L-2", "HepA-L"}
INACTIVATED_ONLY = {"JE-I-1", "JE-I-2", "JE-I-3", "JE-I-4", "HepA-I-1", "HepA-I-2"}

# Birth dates: a 31 January, a leap day, a 31 December, born on TODAY, and
# born exactly six years before TODAY.
BIRTHS = ("2025-01-31", "2024-02-29", "2025-12-31", "2026-11-29", "2020-11-29")
# code: due date for each birth date above, in the same order.
DUE_DATES = {
    "HepB-1": ("2025-01-31", "2024-02-29", "2025-12-31", "2026-11-29", "2020-11-29"),
    "BCG": ("2025-01-31", "2024-02-29", "2025-12-31", "2026-11-29", "2020-11-29"),
    "NB-VISIT": ("2025-02-07", "2024-03-07", "2026-01-07", "2026-12-06", "2020-12-06"),
    "CHK-1M": ("2025-02-28", "2024-03-28", "2026-01-28", "2026-12-27", "2020-12-27"),
    "HepB-2": ("2025-02-28", "2024-03-29", "2026-01-31", "2026-12-29", "2020-12-29"),
    "IPV-1": ("2025-03-31", "2024-04-29", "2026-02-28", "2027-01-29", "2021-01-29"),
    "DTaP-1": ("2025-03-31", "2024-04-29", "2026-02-28", "2027-01-29", "2021-01-29"),
    "CHK-3M": ("2025-04-30", "2024-05-29", "2026-03-31", "2027-02-28", "2021-02-28"),
    "IPV-2": ("2025-04-30", "2024-05-29", "2026-03-31", "2027-02-28", "2021-02-28"),
    "bOPV-1": ("2025-05-31", "2024-06-29", "2026-04-30", "2027-03-29", "2021-03-29"),
    "DTaP-2": ("2025-05-31", "2024-06-29", "2026-04-30", "2027-03-29", "2021-03-29"),
    "CHK-6M": ("2025-07-31", "2024-08-29", "2026-06-30", "2027-05-29", "2021-05-29"),
    "HepB-3": ("2025-07-31", "2024-08-29", "2026-06-30", "2027-05-29", "2021-05-29"),
    "DTaP-3": ("2025-07-31", "2024-08-29", "2026-06-30", "2027-05-29", "2021-05-29"),
    "MPSV-A-1": ("2025-07-31", "2024-08-29", "2026-06-30", "2027-05-29", "2021-05-29"),
    "CHK-8M": ("2025-09-30", "2024-10-29", "2026-08-31", "2027-07-29", "2021-07-29"),
    "MMR-1": ("2025-09-30", "2024-10-29", "2026-08-31", "2027-07-29", "2021-07-29"),
    "JE-L-1": ("2025-09-30", "2024-10-29", "2026-08-31", "2027-07-29", "2021-07-29"),
    "JE-I-1": ("2025-09-30", "2024-10-29", "2026-08-31", "2027-07-29", "2021-07-29"),
    "JE-I-2": ("2025-10-07", "2024-11-05", "2026-09-07", "2027-08-05", "2021-08-05"),
    "MPSV-A-2": ("2025-10-31", "2024-11-29", "2026-09-30", "2027-08-29", "2021-08-29"),
    "CHK-12M": ("2026-01-31", "2025-02-28", "2026-12-31", "2027-11-29", "2021-11-29"),
    "CHK-18M": ("2026-07-31", "2025-08-29", "2027-06-30", "2028-05-29", "2022-05-29"),
    "DTaP-4": ("2026-07-31", "2025-08-29", "2027-06-30", "2028-05-29", "2022-05-29"),
    "MMR-2": ("2026-07-31", "2025-08-29", "2027-06-30", "2028-05-29", "2022-05-29"),
    "HepA-L": ("2026-07-31", "2025-08-29", "2027-06-30", "2028-05-29", "2022-05-29"),
    "HepA-I-1": ("2026-07-31", "2025-08-29", "2027-06-30", "2028-05-29", "2022-05-29"),
    "CHK-24M": ("2027-01-31", "2026-02-28", "2027-12-31", "2028-11-29", "2022-11-29"),
    "JE-L-2": ("2027-01-31", "2026-02-28", "2027-12-31", "2028-11-29", "2022-11-29"),
    "JE-I-3": ("2027-01-31", "2026-02-28", "2027-12-31", "2028-11-29", "2022-11-29"),
    "HepA-I-2": ("2027-01-31", "2026-02-28", "2027-12-31", "2028-11-29", "2022-11-29"),
    "CHK-30M": ("2027-07-31", "2026-08-29", "2028-06-30", "2029-05-29", "2023-05-29"),
    "CHK-36M": ("2028-01-31", "2027-02-28", "2028-12-31", "2029-11-29", "2023-11-29"),
    "MPSV-AC-1": ("2028-01-31", "2027-02-28", "2028-12-31", "2029-11-29", "2023-11-29"),
    "CHK-4Y": ("2029-01-31", "2028-02-29", "2029-12-31", "2030-11-29", "2024-11-29"),
    "bOPV-2": ("2029-01-31", "2028-02-29", "2029-12-31", "2030-11-29", "2024-11-29"),
    "CHK-5Y": ("2030-01-31", "2029-02-28", "2030-12-31", "2031-11-29", "2025-11-29"),
    "CHK-6Y": ("2031-01-31", "2030-02-28", "2031-12-31", "2032-11-29", "2026-11-29"),
    "DTaP-5": ("2031-01-31", "2030-02-28", "2031-12-31", "2032-11-29", "2026-11-29"),
    "MPSV-AC-2": ("2031-01-31", "2030-02-28", "2031-12-31", "2032-11-29", "2026-11-29"),
    "JE-I-4": ("2031-01-31", "2030-02-28", "2031-12-31", "2032-11-29", "2026-11-29"),
}
# code: latest date for births 2025-01-31 and 2024-02-29; every other code has none.
# "Before N months" ends the day before the N-month date (born 31 January: 12 months is
# 2026-01-31, so the latest day is 2026-01-30); HepB-1 (within 24 hours) the day after birth.
LATEST_DATES = {
    "HepB-1": ("2025-02-01", "2024-03-01"),
    "BCG": ("2025-04-29", "2024-05-28"),
    "bOPV-1": ("2026-01-30", "2025-02-27"),
    "HepB-3": ("2026-01-30", "2025-02-27"),
    "DTaP-3": ("2026-01-30", "2025-02-27"),
    "MMR-1": ("2026-01-30", "2025-02-27"),
    "JE-L-1": ("2026-01-30", "2025-02-27"),
    "JE-I-2": ("2026-01-30", "2025-02-27"),
    "MPSV-A-2": ("2026-07-30", "2025-08-28"),
    "DTaP-4": ("2027-01-30", "2026-02-27"),
    "MMR-2": ("2027-01-30", "2026-02-27"),
    "HepA-L": ("2027-01-30", "2026-02-27"),
    "HepA-I-1": ("2027-01-30", "2026-02-27"),
    "JE-L-2": ("2028-01-30", "2027-02-27"),
    "JE-I-3": ("2028-01-30", "2027-02-27"),
    "HepA-I-2": ("2028-01-30", "2027-02-27"),
    "MPSV-AC-1": ("2029-01-30", "2028-02-28"),
    "bOPV-2": ("2030-01-30", "2029-02-27"),
    "DTaP-5": ("2032-01-30", "2031-02-27"),
    "MPSV-AC-2": ("2032-01-30", "2031-02-27"),
    "JE-I-4": ("2032-01-30", "2031-02-27"),
}


def plan(birth, choices=None, records=None, today=TODAY):
    return plan_items(SCHEDULE, D(birth), choices=choices, records=records or {}, today=today)


def by_code(entries):
    return {entry.code: entry for entry in entries}


@pytest.mark.parametrize("choices", [LIVE, INACTIVATED], ids=["live", "inactivated"])
@pytest.mark.parametrize("column", range(len(BIRTHS)), ids=BIRTHS)
def test_every_due_date_matches_the_hand_computed_table(column, choices):
    other = INACTIVATED_ONLY if choices is LIVE else LIVE_ONLY
    expected = {code: D(days[column]) for code, days in DUE_DATES.items() if code not in other}
    assert {entry.code: entry.due_date for entry in plan(BIRTHS[column], choices)} == expected


@pytest.mark.parametrize("column", range(2), ids=BIRTHS[:2])
def test_every_latest_date_matches_the_hand_computed_table(column):
    dates = {}
    for choices in (LIVE, INACTIVATED):
        dates.update({e.code: e.latest_date for e in plan(BIRTHS[column], choices)})
    expected = {code: D(days[column]) for code, days in LATEST_DATES.items()}
    assert {code: day for code, day in dates.items() if day is not None} == expected
    assert {code for code, day in dates.items() if day is None} == set(DUE_DATES) - set(expected)


def test_mixed_choices_pick_each_series_separately():
    codes = {entry.code for entry in plan("2025-01-31", {"je": "inactivated", "hepa": "live"})}
    assert INACTIVATED_ONLY & codes == {"JE-I-1", "JE-I-2", "JE-I-3", "JE-I-4"}
    assert LIVE_ONLY & codes == {"HepA-L"}


def test_choices_default_to_live():
    assert [e.code for e in plan("2025-01-31")] == [e.code for e in plan("2025-01-31", LIVE)]
    assert resolve_choices(SCHEDULE, {"je": "inactivated"}) == {"je": "inactivated",
                                                                 "hepa": "live"}


@pytest.mark.parametrize("choices", [{"je": "dead"}, {"flu": "live"}, {"hepa": None}])
def test_an_unknown_choice_is_refused(choices):
    with pytest.raises(InvalidChoice):
        plan("2025-01-31", choices)


def test_the_plan_is_ordered_by_due_date_with_checkups_first_on_a_shared_day():
    assert [entry.code for entry in plan("2025-01-31")] == [
        "HepB-1", "BCG",
        "NB-VISIT",
        "CHK-1M", "HepB-2",
        "IPV-1", "DTaP-1",
        "CHK-3M", "IPV-2",
        "bOPV-1", "DTaP-2",
        "CHK-6M", "HepB-3", "DTaP-3", "MPSV-A-1",
        "CHK-8M", "MMR-1", "JE-L-1",
        "MPSV-A-2",
        "CHK-12M",
        "CHK-18M", "DTaP-4", "MMR-2", "HepA-L",
        "CHK-24M", "JE-L-2",
        "CHK-30M",
        "CHK-36M", "MPSV-AC-1",
        "CHK-4Y", "bOPV-2",
        "CHK-5Y",
        "CHK-6Y", "DTaP-5", "MPSV-AC-2",
    ]


def test_the_inactivated_plan_places_the_extra_doses_in_order():
    codes = [entry.code for entry in plan("2025-01-31", INACTIVATED)]
    assert codes[15:20] == ["CHK-8M", "MMR-1", "JE-I-1", "JE-I-2", "MPSV-A-2"]
    assert codes[-4:] == ["CHK-6Y", "DTaP-5", "MPSV-AC-2", "JE-I-4"]


@pytest.mark.parametrize(
    ("due", "status"),
    [
        ("2026-12-08", "upcoming"),  # due date - 9 days
        ("2026-12-07", "upcoming"),  # due date - 8 days
        ("2026-12-06", "due"),  # due date - 7 days
        ("2026-11-29", "due"),
        ("2026-10-30", "due"),  # due date + 30 days
        ("2026-10-29", "overdue"),  # due date + 31 days
    ],
)
def test_status_bands_at_their_boundaries(due, status):
    assert item_status(D(due), TODAY) == status
    assert item_status(D(due), TODAY, done_on=D("2026-10-01")) == "done"


@pytest.mark.parametrize(
    ("birth", "status"),
    [
        ("2026-10-07", "upcoming"),  # DTaP-1 due 2026-12-07
        ("2026-10-06", "due"),  # due 2026-12-06
        ("2026-08-30", "due"),  # due 2026-10-30
        ("2026-08-29", "overdue"),  # due 2026-10-29
    ],
)
def test_plan_status_bands_at_their_boundaries(birth, status):
    assert by_code(plan(birth))["DTaP-1"].status == status


def test_a_recorded_item_is_done_whatever_its_date():
    entries = by_code(plan("2025-01-31", records={"HepB-1": D("2025-03-01"),
                                                  "DTaP-5": D("2026-11-01")}))
    assert (entries["HepB-1"].status, entries["HepB-1"].done_on) == ("done", D("2025-03-01"))
    assert entries["HepB-1"].past_latest is False
    assert entries["DTaP-5"].status == "done"
    assert entries["BCG"].done_on is None


@pytest.mark.parametrize(
    ("birth", "code", "past_latest"),
    [
        ("2026-11-28", "HepB-1", False),  # latest 2026-11-29 = today
        ("2026-11-27", "HepB-1", True),  # latest 2026-11-28
        ("2026-08-30", "BCG", False),  # 3 months on 2026-11-30: latest 2026-11-29
        ("2026-08-29", "BCG", True),  # 3 months on 2026-11-29: latest 2026-11-28
        ("2026-08-28", "HepB-2", False),  # no latest
        ("2026-08-28", "NB-VISIT", False),  # checkups have none
    ],
)
def test_past_latest_starts_the_day_after_the_latest_date(birth, code, past_latest):
    assert by_code(plan(birth))[code].past_latest is past_latest


def test_a_done_item_is_never_past_latest():
    entry = by_code(plan("2026-11-27", records={"HepB-1": D("2026-11-29")}))["HepB-1"]
    assert (entry.status, entry.past_latest) == ("done", False)


def test_a_newborn_has_todays_items_due_and_the_rest_upcoming():
    statuses = {entry.code: entry.status for entry in plan("2026-11-29")}
    assert {code for code, status in statuses.items() if status == "due"} == {
        "HepB-1", "BCG", "NB-VISIT",
    }
    assert set(statuses.values()) == {"due", "upcoming"}


def test_a_six_year_old_has_the_six_year_items_due_and_the_rest_overdue():
    statuses = {entry.code: entry.status for entry in plan("2020-11-29", INACTIVATED)}
    assert {code for code, status in statuses.items() if status == "due"} == {
        "CHK-6Y", "DTaP-5", "MPSV-AC-2", "JE-I-4",
    }
    assert set(statuses.values()) == {"due", "overdue"}


FIVE_IN_ONE = "DTaP-IPV-Hib"
# The 2-3-4-month five-in-one: three IPV-containing doses, recorded by product.
PENTA_RECORDS = {"DTaP-1": D("2025-03-31"), "IPV-1": D("2025-03-31"),
                 "DTaP-2": D("2025-04-30"), "IPV-2": D("2025-04-30"),
                 "DTaP-3": D("2025-05-31"), "bOPV-1": D("2025-05-31")}
PENTA_PRODUCTS = dict.fromkeys(PENTA_RECORDS, FIVE_IN_ONE)


def test_three_five_in_one_doses_complete_the_first_three_polio_doses():
    entries = by_code(plan_items(SCHEDULE, D("2025-01-31"), choices=None, records=PENTA_RECORDS,
                                 products=PENTA_PRODUCTS, today=D("2026-03-01")))
    assert (entries["bOPV-1"].status, entries["bOPV-1"].product) == ("done", FIVE_IN_ONE)
    assert entries["bOPV-1"].past_latest is False
    assert entries["bOPV-2"].status == "upcoming"
    assert entries["HepB-1"].product is None
    # DTaP-3 given at 4 months: DTaP-4 waits 6 months after it (before its own 18 months).
    assert entries["DTaP-4"].earliest_date == D("2026-07-31")


def test_the_admission_check_does_not_miss_bopv_after_three_ipv_containing_doses():
    records = {**PENTA_RECORDS, "HepB-1": D("2025-01-31"), "BCG": D("2025-01-31"),
               "HepB-2": D("2025-02-28"), "HepB-3": D("2025-07-31"),
               "MPSV-A-1": D("2025-07-31"), "MMR-1": D("2025-09-30"),
               "JE-L-1": D("2025-09-30"), "MPSV-A-2": D("2025-10-31")}
    assert missing_vaccinations(SCHEDULE, D("2025-01-31"), choices=None, records=records,
                                products=PENTA_PRODUCTS, today=D("2026-03-01")) == []


def test_a_fourth_ipv_containing_dose_makes_bopv_2_done():
    records = {**PENTA_RECORDS, "DTaP-4": D("2026-08-01"), "bOPV-2": D("2026-08-01")}
    entries = by_code(plan_items(SCHEDULE, D("2025-01-31"), choices=None, records=records,
                                 products=dict.fromkeys(records, FIVE_IN_ONE),
                                 today=D("2026-09-01")))
    assert (entries["bOPV-2"].status, entries["bOPV-2"].product) == ("done", FIVE_IN_ONE)


def test_the_other_variant_shows_once_recorded():
    entries = by_code(plan("2025-01-31", LIVE, records={"JE-I-1": D("2025-10-01")}))
    assert entries["JE-I-1"].status == "done"
    assert "JE-L-1" in entries
    assert "JE-I-2" not in entries


def test_je_i_2_counts_from_the_day_je_i_1_was_given():
    entries = by_code(plan("2025-01-31", INACTIVATED, records={"JE-I-1": D("2025-10-20")}))
    assert entries["JE-I-2"].due_date == D("2025-10-27")
    assert entries["JE-I-2"].latest_date == D("2026-01-30")


def test_records_under_codes_the_schedule_does_not_define_are_ignored():
    assert plan("2025-01-31", records={"DT-1": D("2025-03-01")}) == plan("2025-01-31")


def test_every_schedule_code_is_recordable_and_nothing_else():
    codes = recordable_codes(SCHEDULE)
    assert len(codes) == 41
    assert {"bOPV-1", "JE-I-1", "HepA-L", "NB-VISIT", "CHK-6Y"} <= codes
    assert "IPV-3" not in codes  # a third IPV-containing dose is the third polio dose
    assert "DT-1" not in codes


VACCINE_CODES = [code for code in DUE_DATES if SCHEDULE.by_code[code].kind == "vaccine"]
ALL_VACCINES_E = {code: D("2026-01-01") for code in VACCINE_CODES}


def test_missing_vaccinations_lists_overdue_doses_in_due_order():
    records = {k: v for k, v in ALL_VACCINES_E.items() if k not in {"DTaP-3", "bOPV-2"}}
    assert missing_vaccinations(SCHEDULE, D("2020-11-29"), choices=LIVE, records=records,
                                today=TODAY) == [
        "DTaP-3", "bOPV-2",
    ]


def test_missing_vaccinations_follows_the_choices():
    records = {k: v for k, v in ALL_VACCINES_E.items() if k not in INACTIVATED_ONLY}
    assert missing_vaccinations(SCHEDULE, D("2020-11-29"), choices=LIVE, records=records,
                                today=TODAY) == []
    assert missing_vaccinations(SCHEDULE, D("2020-11-29"), choices=INACTIVATED, records=records,
                                today=TODAY) == [
        "JE-I-1", "JE-I-2", "HepA-I-1", "JE-I-3", "HepA-I-2",
    ]


@pytest.mark.parametrize(
    ("birth", "missing"),
    [
        ("2026-11-29", []),
        ("2026-08-30", ["HepB-1", "BCG", "HepB-2"]),  # IPV-1, DTaP-1 due 30 days ago
        ("2026-08-29", ["HepB-1", "BCG", "HepB-2", "IPV-1", "DTaP-1"]),  # due 31 days ago
    ],
)
def test_missing_vaccinations_allow_thirty_days_grace(birth, missing):
    assert missing_vaccinations(SCHEDULE, D(birth), choices=None, records={},
                                today=TODAY) == missing


def test_missing_vaccinations_with_another_grace():
    assert missing_vaccinations(SCHEDULE, D("2026-08-30"), choices=None, records={}, today=TODAY,
                                grace_days=0) == [
        "HepB-1", "BCG", "HepB-2", "IPV-1", "DTaP-1",
    ]
