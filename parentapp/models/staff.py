"""A nursery's staff: who works there, their certificates, and when they are on duty.

A person who leaves keeps their row (``left_at`` set) as history. A phone number is
active at one nursery only, and a person has at most one open duty: both are partial
unique indexes, so two concurrent requests cannot both succeed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import StaffRole
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow

_ACTIVE_SQL = "left_at IS NULL"
_OPEN_SQL = "checked_out_at IS NULL"


class StaffMember(db.Model):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(sql_in("role", StaffRole), name="role"),
        # A phone is active at one nursery only: two hires at once lose one.
        Index("ux_staff_phone_active", "phone", unique=True,
              sqlite_where=text(_ACTIVE_SQL), postgresql_where=text(_ACTIVE_SQL)),
        Index("ix_staff_nursery_id", "nursery_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(11))
    role: Mapped[str] = mapped_column(String(12))
    health_certificate_expires_on: Mapped[date | None]
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    certificates: Mapped[list[StaffCertificate]] = relationship(
        order_by="StaffCertificate.id", cascade="all, delete-orphan")
    # The open duty (checked in, not yet out), if any; loaded with the person.
    open_duty: Mapped[StaffDuty | None] = relationship(
        primaryjoin="and_(StaffDuty.staff_id == StaffMember.id, "
                    "StaffDuty.checked_out_at.is_(None))",
        viewonly=True, uselist=False, lazy="selectin")

    @property
    def active(self) -> bool:
        return self.left_at is None

    @property
    def on_duty(self) -> bool:
        return self.open_duty is not None

    @property
    def on_duty_since(self) -> datetime | None:
        return None if self.open_duty is None else self.open_duty.checked_in_at


class StaffCertificate(db.Model):
    __tablename__ = "staff_certificates"
    __table_args__ = (Index("ix_staff_certificates_staff_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date | None]


class StaffDuty(db.Model):
    """One stretch on duty, from check-in to check-out (open while ``checked_out_at`` is
    NULL); ``nursery_id`` is the staff member's, so the ratio counts from one table."""

    __tablename__ = "staff_duties"
    __table_args__ = (
        CheckConstraint("checked_out_at IS NULL OR checked_out_at >= checked_in_at",
                        name="out_after_in"),
        # One open duty per person: two check-ins at once lose one.
        Index("ux_staff_duties_open", "staff_id", unique=True,
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        Index("ix_staff_duties_nursery_in", "nursery_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
