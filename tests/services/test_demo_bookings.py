"""The demo seed: offerings and a month of slots within every licence, and one booking."""

from __future__ import annotations

from collections import Counter

from parentapp.demo.illness import FAMILIES
from parentapp.domain import AbsenceReason
from parentapp.models import (
    Absence,
    Alert,
    AuditEntry,
    Booking,
    Child,
    Notification,
    Nursery,
    Offering,
    Slot,
    User,
)
from parentapp.seed import DEMO_OPERATOR, DEMO_PARENT_OPENID, DEMO_REGULATOR, seed_demo
from parentapp.services.nurseries.licensed_places import ensure_within_licensed_places


def test_demo_offerings_slots_and_a_booking(db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    first = [db.session.scalar(db.select(db.func.count()).select_from(model))
             for model in (Offering, Slot, Booking)]
    seed_demo(echo=lines.append)  # idempotent
    again = [db.session.scalar(db.select(db.func.count()).select_from(model))
             for model in (Offering, Slot, Booking)]
    assert first == again
    assert any("offerings and slots" in line for line in lines)

    nurseries = list(db.session.scalars(db.select(Nursery).where(
        Nursery.filing_status != "revoked")))
    per_kind = Counter(db.session.scalars(db.select(Offering.care_type)))
    assert set(per_kind) == {"full_day", "half_day", "hourly", "temporary"}
    for nursery in nurseries:
        dates = set(db.session.scalars(db.select(Slot.date).where(
            Slot.nursery_id == nursery.id)))
        assert len(dates) >= 20  # a month of weekdays
        ensure_within_licensed_places(nursery, dates)
    [booking] = db.session.scalars(db.select(Booking).join(User, User.id == Booking.parent_id)
                                   .where(User.wechat_openid == DEMO_PARENT_OPENID))
    assert booking.status == "confirmed" and len(booking.slots) == 5


CLUSTER_ROWS = (Alert, Absence, Booking, Child, User, Notification)


def _counts(db) -> list[int]:
    return [db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in CLUSTER_ROWS]


def test_the_demo_has_a_day_with_an_illness_cluster_opened_by_the_roster(db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    first = _counts(db)
    seed_demo(echo=lines.append)  # idempotent: no second family, absence or alert
    assert _counts(db) == first
    assert any("illness cluster: 3 children absent" in line for line in lines)
    assert any("illness cluster: exists" in line for line in lines)

    [alert] = db.session.scalars(db.select(Alert).where(Alert.kind == "illness_cluster"))
    operator = db.session.scalar(db.select(User).where(User.username == DEMO_OPERATOR[0]))
    nursery = db.session.get(Nursery, alert.nursery_id)
    assert nursery.operator_id == operator.id and alert.status == "open"
    assert alert.details["children"] == len(FAMILIES) == 3
    assert (alert.details["symptom"], alert.details["window"]) == ("fever", "day")
    day = alert.details["from"]
    assert alert.details["to"] == day
    absences = db.session.scalars(db.select(Absence).where(
        Absence.nursery_id == nursery.id)).all()
    assert len({a.child_id for a in absences}) == 3
    assert {(a.day.isoformat(), a.reason, tuple(a.symptoms)) for a in absences} == {
        (day, AbsenceReason.ILLNESS, ("fever",))}
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.no_show", AuditEntry.nursery_id == nursery.id)) == 3
    regulator = db.session.scalar(db.select(User).where(User.username == DEMO_REGULATOR[0]))
    told = set(db.session.scalars(db.select(Notification.user_id).where(
        Notification.subject_type == "alert", Notification.subject_id == alert.id)))
    assert told == {operator.id, regulator.id}
