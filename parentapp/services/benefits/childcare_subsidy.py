"""The national childcare subsidy (育儿补贴): which months of a child's life it pays for.

The rule is data (``parentapp/data/childcare_subsidy.json``, with its source): a fixed
amount for each of the calendar months after the birth month, up to the 36th, counted
only from the month the subsidy started (January 2025). Born December 2023: January 2025
to December 2026, 24 months, 7,200 yuan; born March 2025: April 2025 to March 2028.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from parentapp.data import read_json
from parentapp.domain import ChildRight
from parentapp.services.family import access

RULE_FILE = "childcare_subsidy.json"


@dataclass(frozen=True, slots=True)
class SubsidyRule:
    starts_on: date
    yuan_per_month: int
    months_after_birth_month: int
    source: str
    apply: dict


@lru_cache(maxsize=1)
def subsidy_rule() -> SubsidyRule:
    raw = read_json(RULE_FILE)
    return SubsidyRule(starts_on=date.fromisoformat(raw["starts_on"]),
                       yuan_per_month=int(raw["yuan_per_month"]),
                       months_after_birth_month=int(raw["months_after_birth_month"]),
                       source=raw["source"], apply=dict(raw["apply"]))


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def eligible_month_range(birth_date: date, rule: SubsidyRule) -> range:
    """The eligible months as month indexes (year * 12 + month - 1); empty when none."""
    born = _month_index(birth_date)
    first = max(born + 1, _month_index(rule.starts_on))
    return range(first, born + rule.months_after_birth_month + 1)


def entitlement(birth_date: date, rule: SubsidyRule) -> dict:
    """The contract's answer for a child born on ``birth_date``: eligible, months, amount,
    the months and amount of each calendar year, the first and last month, and where to
    apply."""
    months = eligible_month_range(birth_date, rule)
    years: dict[int, int] = {}
    for index in months:
        years[index // 12] = years.get(index // 12, 0) + 1
    return {
        "eligible": len(months) > 0,
        "months": len(months),
        "amount_yuan": len(months) * rule.yuan_per_month,
        "years": [{"year": year, "months": count, "amount_yuan": count * rule.yuan_per_month}
                  for year, count in sorted(years.items())],
        "first_month": _month(months[0]) if months else None,
        "last_month": _month(months[-1]) if months else None,
        "yuan_per_month": rule.yuan_per_month,
        "apply": rule.apply,
        "source": rule.source,
    }


def year_amount(birth_date: date, year: int, rule: SubsidyRule) -> int:
    """Yuan the subsidy pays for ``year``'s months of a child born on ``birth_date``."""
    months = eligible_month_range(birth_date, rule)
    in_year = range(max(months.start, year * 12), min(months.stop, year * 12 + 12))
    return len(in_year) * rule.yuan_per_month


def child_subsidy(user_id: int, child_id: int, rule: SubsidyRule) -> dict:
    """``entitlement`` for a child ``user_id`` may see (any role; 404 otherwise)."""
    child = access.child_for(user_id, child_id, ChildRight.VIEW)
    return {"child_id": child.id, **entitlement(child.birth_date, rule)}
