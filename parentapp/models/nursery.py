"""A nursery and its filing (备案) with the county health commission."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, utcnow

KINDS = ("nursery", "kindergarten_class", "employer")
REGISTRATION_TYPES = ("nonprofit", "for_profit")
FILING_STATUSES = ("draft", "pending", "approved", "rejected", "revoked")


class Nursery(db.Model):
    __tablename__ = "nurseries"
    __table_args__ = (
        CheckConstraint("kind IN ('nursery', 'kindergarten_class', 'employer')", name="kind"),
        CheckConstraint("registration_type IN ('nonprofit', 'for_profit')",
                        name="registration_type"),
        CheckConstraint("filing_status IN ('draft', 'pending', 'approved', 'rejected', "
                        "'revoked')", name="filing_status"),
        CheckConstraint("licensed_places > 0", name="licensed_places_positive"),
        Index("ix_nurseries_operator_id", "operator_id"),
        # Parent search: only approved rows, bounding box on latitude then longitude.
        Index("ix_nurseries_search_box", "filing_status", "lat", "lng"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(120))
    township: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    lat: Mapped[float]
    lng: Mapped[float]
    phone: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(24))
    inclusive: Mapped[bool] = mapped_column(default=False)
    licensed_places: Mapped[int]
    # {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"], "pm": ["14:00", "17:30"]}
    opening_hours: Mapped[dict] = mapped_column(JSON)
    registration_type: Mapped[str] = mapped_column(String(16))
    credit_code: Mapped[str] = mapped_column(String(18))
    description: Mapped[str] = mapped_column(Text, default="")
    open_to_public: Mapped[bool] = mapped_column(default=True)
    filing_status: Mapped[str] = mapped_column(String(12), default="draft")
    filing_no: Mapped[str | None] = mapped_column(String(40))
    filed_on: Mapped[date | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def is_visible_to_parents(self) -> bool:
        return self.filing_status == "approved" and (
            self.kind != "employer" or self.open_to_public)


class FilingEvent(db.Model):
    """One transition of a filing: who, when, why. The regulator's audit trail."""

    __tablename__ = "filing_events"
    __table_args__ = (Index("ix_filing_events_nursery_id", "nursery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    filing_no: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
