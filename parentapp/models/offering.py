"""What a nursery sells per care type: price, ages and booking terms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.domain import CareType
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow

MAX_AGE_MONTHS = 36  # the county policy covers children under 3

# care_type -> (book_ahead_days, min_notice_hours, cancel_cutoff_hours), from the contract.
DEFAULT_TERMS: dict[str, tuple[int, int, int]] = {
    CareType.FULL_DAY: (62, 12, 24),
    CareType.HALF_DAY: (62, 12, 24),
    CareType.HOURLY: (14, 2, 2),
    CareType.TEMPORARY: (3, 1, 2),
}


class Offering(db.Model):
    __tablename__ = "offerings"
    __table_args__ = (
        UniqueConstraint("nursery_id", "care_type"),
        CheckConstraint(sql_in("care_type", CareType), name="care_type"),
        CheckConstraint("price_fen >= 0", name="price_not_negative"),
        CheckConstraint("age_min_months >= 0 AND age_min_months <= age_max_months "
                        f"AND age_max_months <= {MAX_AGE_MONTHS}", name="age_range"),
        CheckConstraint("book_ahead_days >= 0 AND min_notice_hours >= 0 "
                        "AND cancel_cutoff_hours >= 0", name="terms_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    care_type: Mapped[str] = mapped_column(String(12))
    price_fen: Mapped[int]
    age_min_months: Mapped[int] = mapped_column(default=0)
    age_max_months: Mapped[int] = mapped_column(default=MAX_AGE_MONTHS)
    book_ahead_days: Mapped[int]
    min_notice_hours: Mapped[int]
    cancel_cutoff_hours: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def accepts_age(self, months: int) -> bool:
        return self.age_min_months <= months <= self.age_max_months
