"""The policy statistics equal a brute-force count over every row, for generated data."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import (
    Child,
    ClassEnrollment,
    HealthRecord,
    Nursery,
    ParentingClass,
    Township,
    User,
)
from parentapp.models.child import guarded_by
from parentapp.service_settings import health_schedule
from parentapp.services.stats import policy_figures
from parentapp.timeutil import LOCAL_TZ, add_months, age_months, local_instant
from tests.factories import make_class, make_enrollment, make_nursery, make_user

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
TOWNSHIPS = ["500240001", "500240002", "500240003", "500240100", "500240204"]
CHECKUPS = ["NB-VISIT", "CHK-1M", "CHK-3M", "CHK-6M", "CHK-8M", "CHK-12M", "CHK-18M",
            "CHK-24M", "CHK-30M", "CHK-36M"]


def _generate(rng: random.Random) -> None:
    operator = make_user("operator")
    for n in range(14):
        kind = rng.choice(["nursery", "kindergarten_class", "employer", "family"])
        places = rng.randint(1, 5) if kind == "family" else rng.randint(10, 120)
        make_nursery(operator, township=rng.choice(TOWNSHIPS), name=f"机构{n}",
                     licensed_places=places, inclusive=rng.random() < 0.4, kind=kind,
                     filing_status=rng.choice(["draft", "pending", "approved", "approved",
                                               "rejected", "revoked"]))
    organizer = make_user("regulator")
    classes = []
    for n in range(12):
        starts = local_instant(date(2025, 1, 1) + timedelta(days=rng.randint(0, 720)), time(9))
        cls = make_class(organizer, township=rng.choice(TOWNSHIPS), title=f"课堂{n}",
                         starts_at=starts, ends_at=starts + timedelta(hours=2),
                         enroll_deadline=starts - timedelta(days=1),
                         cancelled_at=NOW if rng.random() < 0.2 else None)
        classes.append(cls)
    for _ in range(25):
        family = make_user("parent", township=rng.choice(TOWNSHIPS + [None]),
                           deleted_at=NOW if rng.random() < 0.08 else None)
        for _ in range(rng.randint(0, 2)):
            _child(rng, family)
        for cls in rng.sample(classes, rng.randint(0, 2)):
            attended = cls.starts_at + timedelta(hours=1) if rng.random() < 0.6 else None
            make_enrollment(cls, family, attended_at=attended)


EDGE_BIRTHS = [
    # The 36-month edge of both reference days (2026-11-29 and 2025-12-31).
    date(2023, 11, 29), date(2023, 11, 30), date(2022, 12, 31), date(2023, 1, 1),
    date(2024, 2, 29), date(2026, 11, 29),
    # A checkup (CHK-6M, CHK-12M) due 25 / 35 days before a reference day: inside and
    # just outside the 30 days' grace.
    add_months(date(2026, 11, 4), -6), add_months(date(2026, 10, 25), -12),
    add_months(date(2025, 12, 6), -6), add_months(date(2025, 11, 26), -12),
    # CHK-6M due exactly 30 days (still in grace) and 31 days before a reference day.
    add_months(date(2026, 10, 30), -6), add_months(date(2026, 10, 29), -6),
    add_months(date(2025, 12, 1), -6), add_months(date(2025, 11, 30), -6),
]


def _child(rng: random.Random, family: User) -> None:
    if rng.random() < 0.5:
        birth = rng.choice(EDGE_BIRTHS)
    else:
        birth = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1790))
    child = guarded_by(family, Child(name="孩子", birth_date=birth, gender="male",
                                     created_at=datetime.now(UTC)))
    db.session.add(child)
    db.session.flush()
    schedule = health_schedule()
    for code in CHECKUPS:
        due = schedule.by_code[code].due.date_from(birth)
        # Mostly on time, sometimes late, sometimes never; the latest due one often missing.
        if rng.random() < 0.9:
            db.session.add(HealthRecord(child_id=child.id, code=code,
                                        done_on=due + timedelta(days=rng.choice([0, 3, 20, 60]))))
    db.session.commit()


def _checkups_up_to_date(schedule, birth: date, records: dict, ref_day: date) -> bool:
    """The oracle: each checkup more than 30 days past its due date is recorded."""
    return all(code in records for code in CHECKUPS
               if schedule.by_code[code].due.date_from(birth) + timedelta(days=30) < ref_day)


def _brute_force(year: int) -> dict[str, dict]:
    today = NOW.astimezone(LOCAL_TZ).date()
    ref_day = min(today, date(year, 12, 31))
    ref_instant = min(NOW, local_instant(date(year + 1, 1, 1), time(0)))
    schedule = health_schedule()
    result = {t.code: {"licensed_places": 0, "inclusive_nurseries": 0,
                       "kindergarten_classes": 0, "family_care_points": 0,
                       "family_care_places": 0, "activities_held": 0, "families": [0, 0],
                       "children": [0, 0], "population": t.population}
              for t in db.session.scalars(db.select(Township))}
    for n in db.session.scalars(db.select(Nursery).where(Nursery.filing_status == "approved")):
        row = result[n.township]
        row["licensed_places"] += n.licensed_places
        row["inclusive_nurseries"] += n.inclusive
        row["kindergarten_classes"] += n.kind == "kindergarten_class"
        row["family_care_points"] += n.kind == "family"
        row["family_care_places"] += n.licensed_places if n.kind == "family" else 0
    for c in db.session.scalars(db.select(ParentingClass)):
        if (c.cancelled_at is None and c.starts_at.astimezone(LOCAL_TZ).year == year
                and c.starts_at < ref_instant):
            result[c.township]["activities_held"] += 1
    county = {"families": [0, 0], "children": [0, 0]}
    for family in db.session.scalars(db.select(User).where(User.role == "parent")):
        if family.deleted_at is not None:
            continue
        young = [c for c in family.children
                 if c.birth_date <= ref_day and age_months(c.birth_date, ref_day) < 36]
        if not young:
            continue
        guided = any(
            e.attended_at is not None and e.parenting_class.cancelled_at is None
            and ref_instant - timedelta(days=365) < e.parenting_class.starts_at <= ref_instant
            for e in db.session.scalars(db.select(ClassEnrollment)
                                        .where(ClassEnrollment.family_id == family.id)))
        targets = [county] + ([result[family.township]] if family.township else [])
        for target in targets:
            target["families"][0] += 1
            target["families"][1] += guided
        for c in young:
            records = {r.code: r.done_on for r in c.health_records if r.done_on <= ref_day}
            ok = _checkups_up_to_date(schedule, c.birth_date, records, ref_day)
            for target in targets:
                target["children"][0] += 1
                target["children"][1] += ok
    result["county"] = county
    return result


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("year", [2025, 2026])
def test_statistics_equal_a_brute_force_count(seed, year):
    _generate(random.Random(seed))
    stats = policy_figures.policy_stats(year, NOW, schedule=health_schedule())
    expected = _brute_force(year)
    assert len(stats["townships"]) == 33
    for row in stats["townships"]:
        want = expected[row["code"]]
        for key in ("licensed_places", "inclusive_nurseries", "kindergarten_classes",
                    "family_care_points", "family_care_places", "activities_held",
                    "population"):
            assert row[key] == want[key], (row["code"], key)
        assert row["places_per_1000"] == policy_figures.per_1000(want["licensed_places"],
                                                             want["population"])
        assert row["guidance_rate"] == policy_figures.rate(*want["families"]), row["code"]
        assert row["health_management_rate"] == policy_figures.rate(*want["children"]), row["code"]
    county = stats["county"]
    assert county["population"] == sum(t.population for t in db.session.scalars(
        db.select(Township)))
    for key in ("licensed_places", "family_care_points", "family_care_places"):
        assert county[key] == sum(r[key] for r in stats["townships"]), key
    assert county["guidance_rate"] == policy_figures.rate(*expected["county"]["families"])
    assert county["health_management_rate"] == policy_figures.rate(*expected["county"]["children"])


def test_targets_and_met_flags_follow_the_policy():
    operator = make_user("operator")
    make_nursery(operator, township="500240001", inclusive=True, licensed_places=900)
    db.session.execute(db.update(Township).values(population=1000))
    db.session.commit()
    stats = policy_figures.policy_stats(2026, NOW, schedule=health_schedule())
    assert stats["targets"] == {"places_per_1000": 2.0, "inclusive_nurseries": 1,
                                "kindergarten_classes": 20, "activities_held": 2,
                                "guidance_rate": 0.9, "health_management_rate": 0.9}
    nanbin = stats["townships"][0]
    assert nanbin["places_per_1000"] == 900.0 and nanbin["met"]["places_per_1000"] is True
    assert nanbin["met"]["inclusive_nurseries"] is True
    assert stats["townships"][3]["met"]["inclusive_nurseries"] is None  # a town: no target
    assert stats["county"]["subdistricts_without_inclusive"] == ["500240002", "500240003"]
    assert stats["county"]["met"]["inclusive_nurseries"] is False
    assert stats["county"]["met"]["kindergarten_classes"] is False
    assert stats["county"]["guidance_rate"] is None  # no families: no rate
    assert stats["county"]["met"]["guidance_rate"] is None


def test_occupancy_adds_booked_and_offered_places_by_care_type_and_week(auth):
    from parentapp.models import Slot

    nursery = make_nursery()
    for day, booked, capacity, status in [(date(2026, 11, 23), 3, 10, "open"),
                                          (date(2026, 11, 29), 5, 10, "open"),
                                          (date(2026, 11, 30), 1, 4, "open"),
                                          (date(2026, 11, 24), 0, 50, "closed")]:
        db.session.add(Slot(nursery_id=nursery.id, care_type="full_day", date=day,
                            start_time=time(8), end_time=time(17), capacity=capacity,
                            booked=booked, status=status))
    db.session.commit()
    assert policy_figures.occupancy(2026) == [
        {"care_type": "full_day", "week": "2026-W48", "booked": 8, "offered": 20, "rate": 0.4},
        {"care_type": "full_day", "week": "2026-W49", "booked": 1, "offered": 4, "rate": 0.25},
    ]


@pytest.mark.parametrize("year", [2019, 2027])
def test_years_outside_the_policy_are_rejected(year):
    from parentapp.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        policy_figures.policy_stats(year, NOW, schedule=health_schedule())


def test_under_three_matches_age_months_at_clamped_month_ends():
    from parentapp.services.stats.health_figures import latest_birth_date_due

    for ref in (date(2027, 2, 28), date(2026, 2, 28), date(2026, 11, 30), date(2028, 2, 29)):
        threshold = latest_birth_date_due(lambda b: add_months(b, 36), ref, 0)
        assert age_months(threshold, ref) >= 36
        assert age_months(threshold + timedelta(days=1), ref) < 36
