"""Which children the health-management figure counts as up to date with checkups.

Every date below is worked out by hand from the cn-nip-2025 schedule (NB-VISIT
7 days after birth, CHK-1M 28 days, the others whole months): a checkup counts
once it is overdue, more than 30 days after its due date, as the plan's status
bands have it.
"""

from datetime import date, time

import pytest

from parentapp.extensions import db
from parentapp.models import Child, HealthRecord, utcnow
from parentapp.models.child import guarded_by
from parentapp.service_settings import health_schedule
from parentapp.services.stats.csv_export import stats_csv
from parentapp.services.stats.health_figures import (
    SYSTEM_CHECKS,
    checked_in_year_by_township,
    health_by_township,
)
from parentapp.services.stats.policy_figures import policy_stats
from parentapp.timeutil import local_instant
from tests.factories import make_user

TODAY = date(2026, 11, 29)
D = date.fromisoformat
TOWNSHIP = "500240001"
# Every checkup due by 2026-10-30 for a child born 2024-01-31 (34 months on TODAY);
# CHK-36M falls due after the child's third birthday.
CHECKUPS_OF_2024_01_31 = {
    "NB-VISIT": "2024-02-07", "CHK-1M": "2024-02-28", "CHK-3M": "2024-04-30",
    "CHK-6M": "2024-07-31", "CHK-8M": "2024-09-30", "CHK-12M": "2025-01-31",
    "CHK-18M": "2025-07-31", "CHK-24M": "2026-01-31", "CHK-30M": "2026-07-31",
}


def _up_to_date(birth: str, records: dict[str, str]) -> bool:
    family = make_user("parent", township=TOWNSHIP)
    child = guarded_by(family, Child(name="孩子", birth_date=D(birth), gender="female",
                                     created_at=utcnow()))
    db.session.add(child)
    db.session.flush()
    db.session.add_all(HealthRecord(child_id=child.id, code=code, done_on=D(day))
                       for code, day in records.items())
    db.session.commit()
    children, up_to_date = health_by_township(health_schedule(), TODAY)[TOWNSHIP]
    assert children == 1
    return up_to_date == 1


@pytest.mark.parametrize(
    ("birth", "records", "up_to_date"),
    [
        ("2026-11-29", {}, True),
        ("2026-10-02", {"NB-VISIT": "2026-10-09"}, True),  # CHK-1M due 2026-10-30, in grace
        ("2026-10-01", {"NB-VISIT": "2026-10-08"}, False),  # CHK-1M due 2026-10-29
        ("2026-10-01", {"NB-VISIT": "2026-10-08", "CHK-1M": "2026-10-29"}, True),
        ("2026-08-30", {"NB-VISIT": "2026-09-06", "CHK-1M": "2026-09-27"}, True),
        ("2026-08-30", {"NB-VISIT": "2026-09-06"}, False),
        ("2025-01-31", {"NB-VISIT": "2025-02-07", "CHK-1M": "2025-02-28"}, False),
        ("2024-01-31", CHECKUPS_OF_2024_01_31, True),
    ],
)
def test_checkups_count_once_thirty_days_past_due(birth, records, up_to_date):
    assert _up_to_date(birth, records) is up_to_date


def test_vaccine_records_never_stand_in_for_a_missing_checkup():
    records = {code: day for code, day in CHECKUPS_OF_2024_01_31.items() if code != "CHK-30M"}
    records.update({"HepB-1": "2024-01-31", "BCG": "2024-01-31", "DTaP-4": "2025-07-31"})
    assert _up_to_date("2024-01-31", records) is False


def test_a_checkup_recorded_after_the_reference_day_does_not_count_yet():
    records = {**CHECKUPS_OF_2024_01_31, "CHK-30M": "2026-11-30"}
    assert _up_to_date("2024-01-31", records) is False


def _child(birth: str, records: dict[str, str]) -> None:
    family = make_user("parent", township=TOWNSHIP)
    child = guarded_by(family, Child(name="孩子", birth_date=D(birth), gender="male",
                                     created_at=utcnow()))
    db.session.add(child)
    db.session.flush()
    db.session.add_all(HealthRecord(child_id=child.id, code=code, done_on=D(day))
                       for code, day in records.items())
    db.session.commit()


# Born 2025-01-31, 21 months on TODAY: the 4:2:2 checks owed are 3, 6, 8, 12 and 18 months.
FOUR_TWO_TWO_OF_2025_01_31 = {"CHK-3M": "2025-04-30", "CHK-6M": "2025-07-31",
                              "CHK-8M": "2025-09-30", "CHK-12M": "2026-01-31",
                              "CHK-18M": "2026-07-31"}


def test_the_system_rate_counts_the_4_2_2_checks_and_not_the_newborn_visits():
    _child("2025-01-31", FOUR_TWO_TWO_OF_2025_01_31)  # no NB-VISIT, no CHK-1M
    assert health_by_township(health_schedule(), TODAY, SYSTEM_CHECKS)[TOWNSHIP] == (1, 1)
    assert health_by_township(health_schedule(), TODAY)[TOWNSHIP] == (1, 0)


def test_the_system_rate_misses_a_child_without_the_8_month_check():
    _child("2025-01-31", {k: v for k, v in FOUR_TWO_TWO_OF_2025_01_31.items() if k != "CHK-8M"})
    _child("2026-09-01", {})  # 2 months: no 4:2:2 check owed yet
    assert health_by_township(health_schedule(), TODAY, SYSTEM_CHECKS)[TOWNSHIP] == (2, 1)


def test_the_0_to_6_rate_counts_children_under_7_checked_this_year():
    _child("2021-06-01", {"CHK-5Y": "2026-06-01"})     # 5 years, checked this year
    _child("2022-03-01", {"CHK-4Y": "2026-03-01", "MMR-2": "2026-01-10"})
    _child("2020-05-01", {"CHK-6Y": "2025-12-31"})     # checked last year only
    _child("2023-02-01", {"DTaP-4": "2026-02-01"})     # a vaccine is not a check
    _child("2024-01-01", {"CHK-36M": "2026-11-30"})    # after the reference day
    _child("2019-11-28", {"CHK-6Y": "2026-01-05"})     # turned 7 on 2026-11-28
    assert checked_in_year_by_township(health_schedule(), TODAY)[TOWNSHIP] == (5, 2)


def test_the_stats_and_the_csv_carry_the_official_rates_beside_ours():
    _child("2025-01-31", FOUR_TWO_TWO_OF_2025_01_31)
    _child("2021-06-01", {"CHK-5Y": "2026-06-01"})
    _child("2022-05-01", {"CHK-4Y": "2025-05-02"})  # over 3, not checked this year
    _child("2020-02-01", {})
    stats = policy_stats(2026, local_instant(TODAY, time(12)), schedule=health_schedule())
    county = stats["county"]
    assert (county["health_management_rate"], county["system_management_rate"],
            county["child_health_management_rate"]) == (0.0, 1.0, 0.5)
    header = stats_csv(stats).splitlines()[0]
    assert "3岁以下儿童系统管理率" in header and "0-6岁儿童健康管理率" in header
    assert "system_management_rate" not in stats["targets"]
