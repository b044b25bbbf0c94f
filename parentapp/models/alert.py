"""Nursery health: morning checks, absence reasons, and the alerts regulators follow.

A morning check (晨检) and an absence reason are one row per booking and day. An
alert opens once per cause: ``cause_key`` is unique (``ratio_breach:{nursery}:{day}``,
``illness_cluster:{nursery}:{symptom}:{window}:{last day}``), so two requests that
find the same cause at once insert one row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.domain import AbsenceReason, AlertKind, AlertStatus, CheckResult
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class HealthCheck(db.Model):
    """The morning check of one booked child on one local day (a second one replaces it)."""

    __tablename__ = "health_checks"
    __table_args__ = (
        CheckConstraint(sql_in("result", CheckResult), name="result"),
        CheckConstraint("temperature_c >= 34.0 AND temperature_c <= 43.0", name="temperature"),
        db.UniqueConstraint("booking_id", "day"),
        Index("ix_health_checks_nursery_day", "nursery_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    day: Mapped[date]
    temperature_c: Mapped[float] = mapped_column(Float)
    symptoms: Mapped[list] = mapped_column(JSON)
    result: Mapped[str] = mapped_column(String(12))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Absence(db.Model):
    """Why a booked child did not come on one local day (given with the no-show)."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint(sql_in("reason", AbsenceReason), name="reason"),
        db.UniqueConstraint("booking_id", "day"),
        Index("ix_absences_nursery_day", "nursery_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(12))
    symptoms: Mapped[list] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Alert(db.Model):
    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(sql_in("kind", AlertKind), name="kind"),
        CheckConstraint(sql_in("status", AlertStatus), name="status"),
        Index("ix_alerts_nursery_opened", "nursery_id", "opened_at"),
        Index("ix_alerts_opened", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    # One alert per cause, whoever finds it first (INSERT ... ON CONFLICT DO NOTHING).
    cause_key: Mapped[str] = mapped_column(Text, unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default=AlertStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_note: Mapped[str | None] = mapped_column(String(500))
