"""The childcare subsidy's month rule against the contract's examples and a brute force."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parentapp.services.benefits.childcare_subsidy import entitlement, subsidy_rule, year_amount

RULE = subsidy_rule()


def test_born_december_2023_gets_24_months_7200_yuan():
    got = entitlement(date(2023, 12, 15), RULE)
    assert (got["eligible"], got["months"], got["amount_yuan"]) == (True, 24, 7200)
    assert got["years"] == [{"year": 2025, "months": 12, "amount_yuan": 3600},
                            {"year": 2026, "months": 12, "amount_yuan": 3600}]
    assert (got["first_month"], got["last_month"]) == ("2025-01", "2026-12")


def test_born_march_2025_is_paid_april_2025_to_march_2028():
    got = entitlement(date(2025, 3, 31), RULE)
    assert (got["first_month"], got["last_month"], got["months"]) == ("2025-04", "2028-03", 36)
    assert [(y["year"], y["months"]) for y in got["years"]] == [
        (2025, 9), (2026, 12), (2027, 12), (2028, 3)]
    assert got["amount_yuan"] == 36 * 300


@pytest.mark.parametrize(("born", "months"), [
    (date(2021, 12, 31), 0),   # its 36th month is December 2024
    (date(2022, 1, 1), 1),     # January 2025 is its 36th month
    (date(2024, 12, 1), 36),   # starts January 2025
    (date(2024, 11, 30), 35),  # December 2024 was before the start
])
def test_the_months_at_the_edges(born, months):
    got = entitlement(born, RULE)
    assert got["months"] == months
    assert got["eligible"] is (months > 0)
    assert got["amount_yuan"] == 300 * months


def test_not_eligible_has_no_years_and_no_months():
    got = entitlement(date(2020, 6, 1), RULE)
    assert (got["years"], got["first_month"], got["last_month"]) == ([], None, None)
    assert got["apply"]["channels"] and "身份证" in got["apply"]["note"]


def _brute_months(born: date) -> list[tuple[int, int]]:
    """Walk day by day from the birth date: a month counts when it is after the birth
    month, within 36 of it, and from January 2025."""
    seen: list[tuple[int, int]] = []
    day = born
    while day < date(born.year + 4, 1, 1):
        key = (day.year, day.month)
        gap = (day.year - born.year) * 12 + day.month - born.month
        if 1 <= gap <= 36 and day >= date(2025, 1, 1) and key not in seen:
            seen.append(key)
        day += timedelta(days=1)
    return seen


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_matches_a_day_by_day_walk(born):
    months = _brute_months(born)
    got = entitlement(born, RULE)
    assert got["months"] == len(months)
    for year in {y for y, _ in months} | {2024, 2031}:
        expected = sum(1 for y, _ in months if y == year) * 300
        assert year_amount(born, year, RULE) == expected
    assert sum(y["amount_yuan"] for y in got["years"]) == got["amount_yuan"]
