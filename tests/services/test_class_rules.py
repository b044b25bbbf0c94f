"""Class rules at their time boundaries, with a fixed ``now``."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from parentapp.errors import (
    AlreadyEnrolled,
    EnrollmentClosed,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from parentapp.models import Child, ClassEnrollment, Notification, ParentingClass, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.accounts.cleanup import before_account_deleted
from parentapp.services.classes import enrollment, organizing
from tests.factories import make_class, make_enrollment, make_user

MICRO = timedelta(microseconds=1)


def test_enrolment_is_open_until_just_before_the_deadline():
    cls = make_class()
    family = make_user("parent")
    with pytest.raises(EnrollmentClosed):
        enrollment.enroll(family.id, cls.id, None, cls.enroll_deadline, class_places_per_family=20)
    entry = enrollment.enroll(family.id, cls.id, None, cls.enroll_deadline - MICRO,
                              class_places_per_family=20)
    assert entry["status"] == "enrolled"


def test_status_is_completed_from_the_end_on():
    cls = make_class()
    assert cls.status_at(cls.ends_at - MICRO) == "scheduled"
    assert cls.status_at(cls.ends_at) == "completed"
    cls.cancelled_at = utcnow()
    assert cls.status_at(cls.ends_at) == "cancelled"


def test_a_freed_seat_after_the_deadline_still_moves_the_waitlist(db):
    cls = make_class(capacity=1)
    seated, waiting = make_enrollment(cls), make_enrollment(cls, status="waitlisted")
    enrollment.leave(seated.family_id, cls.id, cls.enroll_deadline + timedelta(hours=1))
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, waiting.id).status == "enrolled"


def test_nobody_moves_up_once_the_class_has_started(db):
    regulator = make_user("regulator")
    cls = make_class(regulator, capacity=1)
    seated, waiting = make_enrollment(cls), make_enrollment(cls, status="waitlisted")
    during = cls.starts_at + timedelta(minutes=5)
    with pytest.raises(InvalidState):
        enrollment.leave(seated.family_id, cls.id, during)
    organizing.update_class(regulator.id, cls.id, {"capacity": 5}, during)
    before_account_deleted(seated.family, during, offer_minutes=offer_minutes())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, waiting.id).status == "waitlisted"
    assert db.session.scalar(select(Notification.id)) is None


def test_promotion_fills_only_free_seats_and_is_not_repeated(db):
    cls = make_class(capacity=2)
    make_enrollment(cls)
    first, second = make_enrollment(cls, status="waitlisted"), make_enrollment(
        cls, status="waitlisted")
    now = utcnow()
    locked = enrollment.lock_class(cls.id)
    assert [e.id for e in enrollment.promote_waitlist(locked, now)] == [first.id]
    assert enrollment.promote_waitlist(locked, now) == []
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, second.id).status == "waitlisted"


def test_the_deadline_may_be_now_and_equal_to_the_start():
    regulator = make_user("regulator")
    now = utcnow()
    start = now + timedelta(days=1)
    fields = {"title": "入户指导日", "kind": "home_visit_day", "township": "500240001",
              "venue": "南宾街道", "lat": 30.0, "lng": 108.1, "starts_at": start,
              "ends_at": start + timedelta(hours=8), "capacity": 20, "enroll_deadline": now,
              "description": ""}
    assert organizing.create_class(regulator.id, dict(fields), now)["status"] == "scheduled"
    with pytest.raises(ValidationFailed) as error:
        organizing.create_class(regulator.id, {**fields, "enroll_deadline": now - MICRO}, now)
    assert "enroll_deadline" in error.value.details
    created = organizing.create_class(regulator.id, {**fields, "enroll_deadline": start}, now)
    assert created["enroll_deadline"] == start


def test_an_empty_edit_changes_nothing(db):
    regulator = make_user("regulator")
    cls = make_class(regulator)
    view = organizing.update_class(regulator.id, cls.id, {}, utcnow())
    assert view["title"] == cls.title
    assert db.session.scalar(select(ParentingClass.capacity)) == 10


def test_the_unique_index_backs_up_the_one_entry_rule(monkeypatch, db):
    cls = make_class()
    family = make_user("parent")
    make_enrollment(cls, family)
    # Pretend the check under the lock missed the entry: the index still refuses it.
    monkeypatch.setattr(enrollment, "_active_entry", lambda *_: None)
    with pytest.raises(AlreadyEnrolled):
        enrollment.enroll(family.id, cls.id, None, utcnow(), class_places_per_family=20)
    db.session.expire_all()
    assert len(list(db.session.scalars(select(ClassEnrollment)))) == 1


def test_a_child_deleted_meanwhile_is_not_found(monkeypatch, db):
    cls = make_class()
    family = make_user("parent")
    ghost = Child(id=987654, name="x", birth_date=date(2025, 1, 1), gender="male")
    monkeypatch.setattr(enrollment.access, "child_for", lambda *_, **__: ghost)
    with pytest.raises(NotFound):
        enrollment.enroll(family.id, cls.id, ghost.id, utcnow(), class_places_per_family=20)
    assert db.session.scalar(select(ClassEnrollment.id)) is None
