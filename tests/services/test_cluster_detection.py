"""Illness-cluster detection equals a brute-force scan of every nursery, symptom and
window, opens nothing new when run again, and takes the same statements for 3 children
as for 30."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck as Health
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from parentapp.domain import Symptom
from parentapp.extensions import db
from parentapp.models import Absence, Alert, Booking, HealthCheck, Notification
from parentapp.services.alerts.clusters import detect_clusters
from tests.alert_factories import morning
from tests.factories import make_child, make_nursery, make_user
from tests.sqlcount import count_statements

BASE = date(2026, 11, 2)
DAYS = 7
CHILDREN = 6
SYMPTOMS = [s.value for s in Symptom]
FIXED = settings(max_examples=60, deadline=None,
                 suppress_health_check=[Health.function_scoped_fixture, Health.too_slow])
RULES = {"day": (1, 3), "3days": (3, 5)}

case = st.tuples(st.integers(0, 1), st.integers(0, CHILDREN - 1), st.integers(0, DAYS - 1),
                 st.sampled_from(["check", "absence"]), st.booleans(),
                 st.sets(st.sampled_from(SYMPTOMS), max_size=3))


def nurseries_with_bookings(count: int = 2, children: int = CHILDREN) -> list[tuple[int, list]]:
    """``count`` nurseries, each with ``children`` booked children: (nursery id, bookings)."""
    found = []
    for _ in range(count):
        nursery = make_nursery(make_user("operator"))
        bookings = []
        for _ in range(children):
            parent = make_user("parent")
            child = make_child(parent)
            bookings.append(Booking(parent_id=parent.id, child_id=child.id,
                                    nursery_id=nursery.id, care_type="full_day", price_fen=0,
                                    cancel_cutoff_hours=0))
        db.session.add_all(bookings)
        db.session.commit()
        found.append((nursery.id, bookings))
    return found


def write_cases(world, cases) -> set[tuple[int, date]]:
    """Insert the cases (one per source, booking and day: the last wins); returns the
    (nursery, day) pairs written."""
    db.session.execute(delete(Notification))
    for model in (Alert, HealthCheck, Absence):
        db.session.execute(delete(model))
    last = {(src, n, c, d): (positive, symptoms) for n, c, d, src, positive, symptoms in cases}
    for (src, n, c, d), (positive, symptoms) in last.items():
        booking = world[n][1][c]
        common = {"booking_id": booking.id, "nursery_id": booking.nursery_id,
                  "child_id": booking.child_id, "day": BASE + timedelta(days=d),
                  "symptoms": [s for s in SYMPTOMS if s in symptoms]}
        if src == "check":
            db.session.add(HealthCheck(**common, temperature_c=37.5,
                                       result="sent_home" if positive else "ok"))
        else:
            db.session.add(Absence(**common, reason="illness" if positive else "family"))
    db.session.commit()
    return {(world[n][0], BASE + timedelta(days=d)) for (_, n, _, d) in last}


def brute_force(world, cases, today: date) -> set[str]:
    """Every window of every nursery and symptom, counted in plain Python."""
    last = {(src, n, c, d): (positive, symptoms) for n, c, d, src, positive, symptoms in cases}
    sick = [(n, c, d, symptoms) for (src, n, c, d), (positive, symptoms) in last.items()
            if positive]
    keys = set()
    for n, (nursery_id, _) in enumerate(world):
        for symptom in SYMPTOMS:
            for window, (days, needed) in RULES.items():
                for end in range((today - BASE).days + 1):
                    children = {c for (m, c, d, symptoms) in sick
                                if m == n and symptom in symptoms and end - days < d <= end}
                    if len(children) >= needed:
                        keys.add(f"illness_cluster:{nursery_id}:"
                                 f"{(BASE + timedelta(days=end)).isoformat()}:{symptom}:{window}")
    return keys


def detect_all(written, now) -> None:
    for nursery_id, day in sorted(written):
        detect_clusters(nursery_id, day, now)
    db.session.commit()


def opened() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Alert.cause_key)))


@pytest.mark.slow
def test_detection_equals_a_brute_force_scan_and_running_it_again_opens_nothing(db):
    world = nurseries_with_bookings()
    today = BASE + timedelta(days=DAYS + 1)

    @FIXED
    @given(st.lists(case, max_size=40))
    def check(cases):
        written = write_cases(world, cases)
        detect_all(written, morning(today))
        assert opened() == brute_force(world, cases, today)
        alerts = db.session.scalar(select(func.count()).select_from(Alert))
        told = db.session.scalar(select(func.count()).select_from(Notification))
        detect_all(written, morning(today))
        assert db.session.scalar(select(func.count()).select_from(Alert)) == alerts
        assert db.session.scalar(select(func.count()).select_from(Notification)) == told

    check()


def test_five_children_over_three_days_open_the_three_day_window(db):
    [(nursery_id, _)] = world = nurseries_with_bookings(1)
    cases = [(0, c, d, "absence", True, {"cough"}) for c, d in [(0, 0), (1, 0), (2, 1),
                                                                 (3, 2), (4, 2)]]
    written = write_cases(world, cases)
    detect_all(written, morning(BASE + timedelta(days=2)))
    assert opened() == {f"illness_cluster:{nursery_id}:{(BASE + timedelta(days=2)).isoformat()}"
                        ":cough:3days"}


@pytest.mark.parametrize("children", [3, 30])
def test_detection_takes_the_same_statements_whatever_the_number_of_children(db, children):
    [(nursery_id, _)] = world = nurseries_with_bookings(1, children)
    make_user("regulator")
    cases = [(0, c, 0, "check", True, {"fever", "cough"}) for c in range(children)]
    write_cases(world, cases)
    with count_statements() as statements:
        detect_clusters(nursery_id, BASE, morning(BASE))
    db.session.commit()
    assert len(opened()) == (2 if children < 5 else 4)  # fever and cough, a day (3 days)
    lock = 1 if db.engine.dialect.name == "postgresql" else 0
    # (lock,) clusters, alerts in, nurseries, regulators, notifications in
    sent = [s for s in statements if s != "BEGIN"]
    assert len(sent) == lock + 5, sent
