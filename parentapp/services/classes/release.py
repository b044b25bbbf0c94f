"""What deleting a child or an account undoes in classes: seats and waitlist places are
given up (the waitlists move up). Runs in the deletion's transaction; no commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from parentapp.domain import ACTIVE_ENROLLMENT_STATUSES, EnrollmentStatus
from parentapp.extensions import db
from parentapp.models import ClassEnrollment
from parentapp.services.classes.enrollment import end_entry, lock_class


def _release(entries_of, now: datetime) -> None:
    """End every active entry matching ``entries_of`` (waitlists move up), locking their
    classes in id order. The caller commits."""
    class_ids = sorted(set(db.session.scalars(select(ClassEnrollment.class_id).where(
        entries_of, ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))))
    for class_id in class_ids:
        cls = lock_class(class_id)
        for entry in db.session.scalars(select(ClassEnrollment).where(
                ClassEnrollment.class_id == class_id, entries_of,
                ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES))).all():
            end_entry(cls, entry, EnrollmentStatus.LEFT, now)


def release_family(family_id: int, now: datetime) -> None:
    """Account deletion: the account's own seats (no child) are given up, then erased.
    Seats it took for a child that stays are the child's and stay. The caller commits."""
    own = ClassEnrollment.child_id.is_(None) & (ClassEnrollment.family_id == family_id)
    _release(own, now)
    db.session.execute(db.delete(ClassEnrollment).where(own))


def release_child(child_id: int, now: datetime) -> None:
    """Child deletion: the child's seats and waitlist places are withdrawn (waitlists move
    up); the ended rows stop naming the child when it goes. The caller commits."""
    _release(ClassEnrollment.child_id == child_id, now)
