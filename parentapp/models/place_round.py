"""Monthly places by application (入托申请): a nursery's round, families' applications and
their ranked choices.

A round holds ``held`` places out of every full-day slot of its month (``slots.round_held``
equals it on each of them) until they are booked by an accepted offer or given back.
An application names up to 3 rounds in order of preference; allocation writes each
choice's priority (``township_first``, ``sibling``, ``draw``) and its ``position`` in
the round's order, so the operator and the regulator see why the result is what it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import ApplicationStatus, CareType, RoundStatus
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class PlaceRound(db.Model):
    __tablename__ = "place_rounds"
    __table_args__ = (
        UniqueConstraint("nursery_id", "month", "care_type"),
        CheckConstraint(sql_in("status", RoundStatus), name="status"),
        CheckConstraint(sql_in("care_type", (CareType.FULL_DAY,)), name="care_type"),
        CheckConstraint("places >= 1", name="places_positive"),
        CheckConstraint("held >= 0 AND held <= places", name="held_within_places"),
        # Allocation finds a month's rounds; demand counts them.
        Index("ix_place_rounds_month_status", "month", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # "2027-03"
    care_type: Mapped[str] = mapped_column(String(12), default=CareType.FULL_DAY)
    places: Mapped[int]
    # Places still held out of the month's slots (offered, or not yet allocated).
    held: Mapped[int]
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    priority_rules: Mapped[list] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.OPEN)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def status_at(self, now: datetime) -> str:
        """``closed`` between ``closes_at`` and allocation; the stored status otherwise."""
        if self.status == RoundStatus.OPEN and now >= self.closes_at:
            return "closed"
        return self.status


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("child_id", "month", "care_type"),
        CheckConstraint(sql_in("status", ApplicationStatus), name="status"),
        # Offers due to expire or to be reminded of.
        Index("ix_applications_status_expires", "status", "offer_expires_at"),
        Index("ix_applications_month_status", "month", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    month: Mapped[str] = mapped_column(String(7))
    care_type: Mapped[str] = mapped_column(String(12), default=CareType.FULL_DAY)
    status: Mapped[str] = mapped_column(String(10), default=ApplicationStatus.SUBMITTED)
    # Where the family lives (the first guardian's township), read at allocation.
    township: Mapped[str | None] = mapped_column(ForeignKey("townships.code"))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("place_rounds.id", ondelete="SET NULL"))
    nursery_id: Mapped[int | None] = mapped_column(
        ForeignKey("nurseries.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    choices: Mapped[list[ApplicationChoice]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ApplicationChoice.rank")


class ApplicationChoice(db.Model):
    __tablename__ = "application_choices"
    __table_args__ = (
        UniqueConstraint("application_id", "round_id"),
        CheckConstraint("rank >= 1 AND rank <= 3", name="rank"),
        Index("ix_application_choices_round_id", "round_id", "position"),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("place_rounds.id", ondelete="CASCADE"))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    # Written by allocation: the priority this round gave the family, and its place in line.
    township_first: Mapped[bool | None]
    sibling: Mapped[bool | None]
    draw: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int | None]
