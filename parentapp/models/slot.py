"""A bookable unit of care: one care type, one date, a start and an end.

``booked`` counts active booking slots; ``held`` counts places held for
waitlist offers; ``round_held`` the places a round of monthly places by application
(``models.place_round``) holds out of sale. Both are changed only under the slot's row lock (or a
conditional UPDATE), and the CHECK constraints make overbooking impossible
even if a code path forgot.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.domain import CareType, SlotStatus
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow
from parentapp.timeutil import local_instant


class Slot(db.Model):
    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("nursery_id", "care_type", "date", "start_time"),
        CheckConstraint(sql_in("care_type", CareType), name="care_type"),
        CheckConstraint(sql_in("status", SlotStatus), name="status"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("held >= 0 AND booked + held <= capacity", name="held_within_capacity"),
        CheckConstraint("round_held >= 0 AND booked + held + round_held <= capacity",
                        name="round_held_within_capacity"),
        CheckConstraint("start_time < end_time", name="starts_before_end"),
        # Listing a nursery's slots by date range, any care type.
        Index("ix_slots_nursery_date", "nursery_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    care_type: Mapped[str] = mapped_column(String(12))
    date: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    round_held: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(8), default=SlotStatus.OPEN)
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def starts_at(self) -> datetime:
        return local_instant(self.date, self.start_time)

    def ends_at(self) -> datetime:
        return local_instant(self.date, self.end_time)

    def overlaps(self, other_date: date, start: time, end: time) -> bool:
        return self.date == other_date and self.start_time < end and start < self.end_time
