"""A family waiting for a place in a full slot, and the offer it may get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import LIVE_WAITLIST_STATUSES, WaitlistStatus
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow
from parentapp.models.slot import Slot

_LIVE_SQL = sql_in("status", LIVE_WAITLIST_STATUSES)


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(sql_in("status", WaitlistStatus), name="status"),
        # A child waits at most once per slot.
        Index("ux_waitlist_entries_slot_child_live", "slot_id", "child_id", unique=True,
              sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
        # Who is next on a slot: waiting entries in arrival order.
        Index("ix_waitlist_entries_slot_queue", "slot_id", "status", "id"),
        # The expiry job: offers by deadline.
        Index("ix_waitlist_entries_offers", "status", "offer_expires_at"),
        Index("ix_waitlist_entries_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=WaitlistStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))

    slot: Mapped[Slot] = relationship()
