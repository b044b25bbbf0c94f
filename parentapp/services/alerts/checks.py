"""The morning check (晨检) and the reason of an absence, each one per booking and day.

A second morning check of the same booking and day replaces the first (the answer
says which). A child sent home, or absent for illness, may complete an illness
cluster: detection runs in the same transaction (``clusters``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from parentapp.domain import AbsenceReason, AuditAction, CheckResult, Symptom
from parentapp.errors import InvalidState, NotFound
from parentapp.extensions import db
from parentapp.models import Absence, Booking, HealthCheck
from parentapp.services.alerts.clusters import detect_clusters
from parentapp.services.booking.bookings import booking_query
from parentapp.services.common import audit
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.nurseries.access import owned_nursery
from parentapp.timeutil import local_today


@dataclass(frozen=True)
class RecordedCheck:
    check: HealthCheck
    created: bool  # False: it replaced the day's earlier check


def symptom_list(symptoms) -> list[str]:
    """Each symptom once, in the vocabulary's order."""
    given = set(symptoms or ())
    return [s.value for s in Symptom if s in given]


@rolls_back
def record_health_check(operator_id: int, booking_id: int, *, temperature_c: float,
                        symptoms: list[str], result: str, now: datetime) -> RecordedCheck:
    """Today's morning check of the booking's child (replacing today's earlier one).

    Raises NotFound (not the operator's booking), InvalidState (no slot today).
    """
    booking = _locked_booking(operator_id, booking_id)
    day = local_today(now)
    if not any(bs.slot.date == day and bs.is_active for bs in booking.slots):
        raise InvalidState("该预约今天没有有效的时段，不能晨检。",
                           details={"date": day.isoformat()})
    check = db.session.scalar(db.select(HealthCheck).where(
        HealthCheck.booking_id == booking.id, HealthCheck.day == day))
    created = check is None
    if created:
        check = HealthCheck(booking_id=booking.id, nursery_id=booking.nursery_id,
                            child_id=booking.child_id, day=day)
        db.session.add(check)
    check.temperature_c, check.symptoms = temperature_c, symptom_list(symptoms)
    check.result, check.checked_at, check.checked_by = result, now, operator_id
    audit.record(operator_id, AuditAction.BOOKING_HEALTH_CHECK, booking, now=now,
                 after={"date": day.isoformat(), "temperature_c": temperature_c,
                        "symptoms": check.symptoms, "result": result})
    db.session.flush()
    if result == CheckResult.SENT_HOME:
        detect_clusters(booking.nursery_id, day, now)
    commit_keeping_loaded()
    return RecordedCheck(check, created)


def record_absence(operator_id: int, booking: Booking, day: date, *, reason: str,
                   symptoms: list[str] | None, now: datetime) -> Absence:
    """Why the child did not come on ``day`` (replacing an earlier reason); an illness
    may complete a cluster (caller commits)."""
    absence = db.session.scalar(db.select(Absence).where(
        Absence.booking_id == booking.id, Absence.day == day))
    if absence is None:
        absence = Absence(booking_id=booking.id, nursery_id=booking.nursery_id,
                          child_id=booking.child_id, day=day)
        db.session.add(absence)
    absence.reason, absence.symptoms = reason, symptom_list(symptoms)
    absence.recorded_at, absence.recorded_by = now, operator_id
    db.session.flush()
    if reason == AbsenceReason.ILLNESS:
        detect_clusters(booking.nursery_id, day, now)
    return absence


def _locked_booking(operator_id: int, booking_id: int) -> Booking:
    """The operator's booking, row-locked with its slots (two checks at once queue)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("没有找到这个预约。")
    owned_nursery(operator_id, booking.nursery_id)
    return db.session.scalar(
        booking_query().where(Booking.id == booking_id).with_for_update(of=Booking, key_share=True)
        .execution_options(populate_existing=True))


def day_checks(booking_ids, day: date) -> dict[int, HealthCheck]:
    """The morning checks of ``day`` for these bookings, by booking id."""
    ids = list(booking_ids)
    if not ids:
        return {}
    return {c.booking_id: c for c in db.session.scalars(db.select(HealthCheck).where(
        HealthCheck.booking_id.in_(ids), HealthCheck.day == day))}
