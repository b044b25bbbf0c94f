"""Parenting classes (科学育儿) and the families enrolled in them.

A class's status is not stored: ``cancelled`` once cancelled, ``completed``
once its end has passed, ``scheduled`` otherwise, so no job has to flip it.
Waitlist positions are not stored either: they are the order of the
waitlisted rows' ids, which is the order their transactions took the class
lock and committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import (
    ACTIVE_ENROLLMENT_STATUSES,
    ClassKind,
    ClassStatus,
    EnrollmentStatus,
)
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow

MAX_CAPACITY = 500

_ACTIVE_SQL = sql_in("status", ACTIVE_ENROLLMENT_STATUSES)
_CHILD_SQL = f"{_ACTIVE_SQL} AND child_id IS NOT NULL"
_ALONE_SQL = f"{_ACTIVE_SQL} AND child_id IS NULL"


class ParentingClass(db.Model):
    __tablename__ = "parenting_classes"
    __table_args__ = (
        CheckConstraint(sql_in("kind", ClassKind), name="kind"),
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("enroll_deadline <= starts_at", name="deadline_not_after_start"),
        CheckConstraint("child_age_min_months IS NULL OR child_age_max_months IS NULL "
                        "OR child_age_min_months <= child_age_max_months", name="age_band"),
        Index("ix_parenting_classes_starts_at", "starts_at"),
        Index("ix_parenting_classes_organizer_id", "organizer_id"),
        Index("ix_parenting_classes_township_starts_at", "township", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nursery_id: Mapped[int | None] = mapped_column(ForeignKey("nurseries.id"))
    title: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    township: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    venue: Mapped[str] = mapped_column(String(60))
    lat: Mapped[float]
    lng: Mapped[float]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    enroll_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    child_age_min_months: Mapped[int | None]
    child_age_max_months: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def status_at(self, now: datetime) -> str:
        if self.cancelled_at is not None:
            return ClassStatus.CANCELLED
        return ClassStatus.COMPLETED if now >= self.ends_at else ClassStatus.SCHEDULED

    def enrollment_open_at(self, now: datetime) -> bool:
        """Families may join until the deadline (exclusive) of a class not cancelled."""
        return self.cancelled_at is None and now < self.enroll_deadline

    def accepts_age(self, months: int) -> bool:
        low, high = self.child_age_min_months, self.child_age_max_months
        return (low is None or months >= low) and (high is None or months <= high)


class ClassEnrollment(db.Model):
    """A seat or waitlist place in a class: for a child (``child_id``), or for the account
    alone. ``family_id`` is the account that enrolled (``booked_by``)."""

    __tablename__ = "class_enrollments"
    __table_args__ = (
        CheckConstraint(sql_in("status", EnrollmentStatus), name="status"),
        # One seat or waitlist place per child per class (whoever of its people enrolled
        # it), and per account for a seat without a child; ended rows stay as history.
        Index("uq_class_enrollments_active_child", "class_id", "child_id", unique=True,
              postgresql_where=text(_CHILD_SQL), sqlite_where=text(_CHILD_SQL)),
        Index("uq_class_enrollments_active_family", "class_id", "family_id", unique=True,
              postgresql_where=text(_ALONE_SQL), sqlite_where=text(_ALONE_SQL)),
        Index("ix_class_enrollments_class_status", "class_id", "status", "id"),
        Index("ix_class_enrollments_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("parenting_classes.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The child the seat is for, if named; deleting the child withdraws its seats.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parenting_class: Mapped[ParentingClass] = relationship()
    family: Mapped[User] = relationship()  # noqa: F821
    child: Mapped[Child | None] = relationship()  # noqa: F821

    @property
    def attended(self) -> bool:
        return self.attended_at is not None
