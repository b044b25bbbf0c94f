"""The policy figures the county health commission watches (domain reference §7).

Each figure is counted in SQL per township; the county figures add the
townships up (rates count every family, with or without a township set).
Filed means a filing in state ``approved`` now; classes count as held when
not cancelled and started in the year, before now. Family care points (家庭托育点)
are also counted apart, with their places: they are in ``licensed_places`` (filed
places of every kind) and, when 普惠, in ``inclusive_nurseries``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, func, select

from parentapp.domain import FilingStatus, NurseryKind, SlotStatus, TownshipKind
from parentapp.errors import ValidationFailed
from parentapp.extensions import db
from parentapp.models import Nursery, ParentingClass, Slot
from parentapp.services.health.schedule import Schedule
from parentapp.services.stats import health_figures
from parentapp.services.stats.townships import list_townships
from parentapp.timeutil import local_instant, local_today

FIRST_YEAR = 2020  # the policy's year
TARGETS = {
    "places_per_1000": 2.0,
    "inclusive_nurseries": 1,  # per 街道
    "kindergarten_classes": 20,  # county-wide
    "activities_held": 2,  # per township, per year
    "guidance_rate": 0.9,
    "health_management_rate": 0.9,
}


def policy_stats(year: int, now: datetime, *, schedule: Schedule) -> dict:
    """Raises ValidationFailed for a year before the policy or in the future."""
    today = local_today(now)
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationFailed.on("year", f"年份应在 {FIRST_YEAR} 到 {today.year} 之间。")
    ref_day = min(today, date(year, 12, 31))
    ref_instant = min(now, local_instant(date(year + 1, 1, 1), time(0)))
    families = Families(
        guidance=health_figures.guidance_by_township(ref_day, ref_instant),
        health=health_figures.health_by_township(schedule, ref_day),
        system=health_figures.health_by_township(schedule, ref_day,
                                                 health_figures.SYSTEM_CHECKS),
        child_health=health_figures.checked_in_year_by_township(schedule, ref_day))
    rows = _township_rows(year, ref_instant, families)
    county = _county(rows, families)
    return {"year": year, "as_of": ref_day, "county": county, "townships": rows,
            "targets": dict(TARGETS), "occupancy": occupancy(year)}


@dataclass(frozen=True)
class Families:
    """township -> (counted, meeting the rule), for the guidance and health rates."""

    guidance: dict[str | None, tuple[int, int]]
    health: dict[str | None, tuple[int, int]]
    system: dict[str | None, tuple[int, int]]
    child_health: dict[str | None, tuple[int, int]]


def _township_rows(year: int, ref_instant: datetime, families: Families) -> list[dict]:
    places = _places_by_township()
    activities = _activities_by_township(year, ref_instant)
    rows = []
    for township in list_townships():
        licensed, inclusive, kindergartens, family, family_places = places.get(
            township.code, (0, 0, 0, 0, 0))
        row = {
            "code": township.code, "name": township.name, "kind": township.kind,
            "population": township.population,
            "population_estimated": township.population_estimated,
            "licensed_places": licensed,
            "places_per_1000": per_1000(licensed, township.population),
            "inclusive_nurseries": inclusive, "kindergarten_classes": kindergartens,
            "family_care_points": family, "family_care_places": family_places,
            "activities_held": activities.get(township.code, 0),
            "guidance_rate": rate(*families.guidance.get(township.code, (0, 0))),
            "health_management_rate": rate(*families.health.get(township.code, (0, 0))),
            "system_management_rate": rate(*families.system.get(township.code, (0, 0))),
            "child_health_management_rate": rate(
                *families.child_health.get(township.code, (0, 0))),
        }
        row["met"] = _township_met(row)
        rows.append(row)
    return rows


def _county(rows: list[dict], families: Families) -> dict:
    """County-wide: townships added up; rates over every family, township set or not."""
    population = sum(row["population"] or 0 for row in rows)
    licensed = sum(row["licensed_places"] for row in rows)
    county = {
        "population": population, "licensed_places": licensed,
        "places_per_1000": per_1000(licensed, population),
        "inclusive_nurseries": sum(row["inclusive_nurseries"] for row in rows),
        "kindergarten_classes": sum(row["kindergarten_classes"] for row in rows),
        "family_care_points": sum(row["family_care_points"] for row in rows),
        "family_care_places": sum(row["family_care_places"] for row in rows),
        "activities_held": sum(row["activities_held"] for row in rows),
        "guidance_rate": rate(*_totals(families.guidance)),
        "health_management_rate": rate(*_totals(families.health)),
        "system_management_rate": rate(*_totals(families.system)),
        "child_health_management_rate": rate(*_totals(families.child_health)),
        "subdistricts_without_inclusive": [
            row["code"] for row in rows
            if row["kind"] == TownshipKind.SUBDISTRICT and row["inclusive_nurseries"] < 1],
        "townships_below_activity_target": [
            row["code"] for row in rows if row["activities_held"] < TARGETS["activities_held"]],
    }
    county["met"] = _county_met(county)
    return county


def _township_met(row: dict) -> dict:
    return {
        "places_per_1000": _at_least(row["places_per_1000"], "places_per_1000"),
        # The 1-per-street target is for 街道 only; towns have none.
        "inclusive_nurseries": row["inclusive_nurseries"] >= 1
        if row["kind"] == TownshipKind.SUBDISTRICT else None,
        "kindergarten_classes": None,  # a county-wide target
        "activities_held": row["activities_held"] >= TARGETS["activities_held"],
        "guidance_rate": _at_least(row["guidance_rate"], "guidance_rate"),
        "health_management_rate": _at_least(row["health_management_rate"],
                                            "health_management_rate"),
    }


def _county_met(county: dict) -> dict:
    return {
        "places_per_1000": _at_least(county["places_per_1000"], "places_per_1000"),
        "inclusive_nurseries": not county["subdistricts_without_inclusive"],
        "kindergarten_classes": county["kindergarten_classes"] >= TARGETS["kindergarten_classes"],
        "activities_held": not county["townships_below_activity_target"],
        "guidance_rate": _at_least(county["guidance_rate"], "guidance_rate"),
        "health_management_rate": _at_least(county["health_management_rate"],
                                            "health_management_rate"),
    }


def _totals(by_township: dict[str | None, tuple[int, int]]) -> tuple[int, int]:
    return (sum(total for total, _ in by_township.values()),
            sum(meeting for _, meeting in by_township.values()))


def _at_least(value, key: str) -> bool | None:
    return None if value is None else value >= TARGETS[key]


def per_1000(places: int, population: int | None) -> float | None:
    return round(places * 1000 / population, 3) if population else None


def rate(total: int, meeting: int) -> float | None:
    return round(meeting / total, 4) if total else None


def _places_by_township() -> dict[str, tuple[int, int, int, int, int]]:
    """township -> (places, inclusive, kindergarten classes, family points, their places)."""
    family = Nursery.kind == NurseryKind.FAMILY
    stmt = (select(Nursery.township, func.sum(Nursery.licensed_places),
                   func.sum(case((Nursery.inclusive, 1), else_=0)),
                   func.sum(case((Nursery.kind == NurseryKind.KINDERGARTEN_CLASS, 1), else_=0)),
                   func.sum(case((family, 1), else_=0)),
                   func.sum(case((family, Nursery.licensed_places), else_=0)))
            .where(Nursery.filing_status == FilingStatus.APPROVED).group_by(Nursery.township))
    return {row[0]: tuple(int(value) for value in row[1:]) for row in db.session.execute(stmt)}


def _activities_by_township(year: int, ref_instant: datetime) -> dict[str, int]:
    start = local_instant(date(year, 1, 1), time(0))
    stmt = (select(ParentingClass.township, func.count(ParentingClass.id))
            .where(ParentingClass.cancelled_at.is_(None), ParentingClass.starts_at >= start,
                   ParentingClass.starts_at < ref_instant)
            .group_by(ParentingClass.township))
    return dict(db.session.execute(stmt).all())


def occupancy(year: int) -> list[dict]:
    """Booked over offered places of open slots, by care type and ISO week."""
    stmt = (select(Slot.care_type, Slot.date, func.sum(Slot.booked), func.sum(Slot.capacity))
            .where(Slot.status == SlotStatus.OPEN, Slot.date >= date(year, 1, 1),
                   Slot.date <= date(year, 12, 31))
            .group_by(Slot.care_type, Slot.date))
    weeks: dict[tuple[str, str], list[int]] = {}
    for care_type, day, booked, offered in db.session.execute(stmt):
        iso = day.isocalendar()
        totals = weeks.setdefault((care_type, f"{iso.year}-W{iso.week:02d}"), [0, 0])
        totals[0] += int(booked)
        totals[1] += int(offered)
    return [{"care_type": care_type, "week": week, "booked": booked, "offered": offered,
             "rate": rate(offered, booked)}
            for (care_type, week), (booked, offered) in sorted(weeks.items())]

