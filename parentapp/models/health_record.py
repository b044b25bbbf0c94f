"""A vaccine dose or checkup a parent recorded as done for a child."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, utcnow


class HealthRecord(db.Model):
    __tablename__ = "health_records"
    # Recording a code again replaces its date: one row per child and code.
    __table_args__ = (UniqueConstraint("child_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[date]
    # The vaccine product (schedule ``products``) the dose was recorded by, if any: one
    # product dose is one row per series it counted for, same product and date.
    product: Mapped[str | None] = mapped_column(String(24))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
