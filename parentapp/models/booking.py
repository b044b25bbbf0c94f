"""A family's booking of one or more slots, and each slot's own state in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import ACTIVE_BOOKING_STATUSES, BookingStatus
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow
from parentapp.models.slot import Slot

_STATUS_CHECK = sql_in("status", BookingStatus)
_ACTIVE_SQL = sql_in("status", ACTIVE_BOOKING_STATUSES)


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
        Index("ix_bookings_parent_id", "parent_id", "id"),
        Index("ix_bookings_nursery_id", "nursery_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who booked (``booked_by``): one of the child's people when they booked.
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Kept (as NULL) when the child is deleted, so a nursery's past roster stays whole.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    care_type: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(24), default=BookingStatus.CONFIRMED)
    price_fen: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(200))
    # The terms the family booked under: a later change of the offering does not move them.
    cancel_cutoff_hours: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    slots: Mapped[list[BookingSlot]] = relationship(
        back_populates="booking", order_by="BookingSlot.id", cascade="all, delete-orphan")

    # ``booked_by`` for the answer ({"user_id", "nickname", "relation"}), set by the
    # booking services from ``family.booked_by`` (one query per page).
    booked_by = None

    def settle(self, cancelled_as: str) -> None:
        """Price and status from the slots: the price is what is not cancelled; a booking
        with nothing left takes ``cancelled_as`` (who cancelled the last slot)."""
        active = [s for s in self.slots if s.is_active]
        self.price_fen = sum(s.price_fen for s in active)
        self.status = status_of(s.status for s in active) or cancelled_as


def status_of(statuses) -> str | None:
    """The booking's status from its active slots' (None when there are none)."""
    present = set(statuses)
    if not present:
        return None
    for status in (BookingStatus.CHECKED_IN, BookingStatus.CONFIRMED):
        if status in present:
            return status
    return BookingStatus.NO_SHOW if present == {BookingStatus.NO_SHOW} else BookingStatus.COMPLETED


class BookingSlot(db.Model):
    __tablename__ = "booking_slots"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
        # One active booking per child per slot: two devices booking at once lose one.
        Index("ux_booking_slots_child_slot_active", "child_id", "slot_id", unique=True,
              sqlite_where=text(_ACTIVE_SQL), postgresql_where=text(_ACTIVE_SQL)),
        Index("ix_booking_slots_slot_id", "slot_id"),
        Index("ix_booking_slots_booking_id", "booking_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(24), default=BookingStatus.CONFIRMED)
    price_fen: Mapped[int]
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the child arrived (kept after check-out, when ``changed_at`` says when they left):
    # who was in the nursery at a past moment, for the carer ratio.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who collected the child at check-out (a name on the child's pickup list, if it has one).
    picked_up_by: Mapped[str | None] = mapped_column(String(20))

    booking: Mapped[Booking] = relationship(back_populates="slots")
    slot: Mapped[Slot] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING_STATUSES
