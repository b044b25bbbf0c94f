"""Which children the health-management figure counts as up to date with checkups.

Every date below is worked out by hand from the cn-nip-2025 schedule (NB-VISIT
7 days after birth, CHK-1M 28 days, the others whole months): a checkup counts
once it is overdue, more than 30 days after its due date, as the plan's status
bands have it.
"""

from datetime import date

import pytest

from parentapp.extensions import db
from parentapp.models import Child, HealthRecord, utcnow
from parentapp.models.child import guarded_by
from parentapp.service_settings import health_schedule
from parentapp.services.stats.health_figures import health_by_township
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
