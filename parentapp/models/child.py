"""A parent's child: only what the features need (name, birth date, sex)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import Gender, VaccineChoice
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class Child(db.Model):
    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint(sql_in("gender", Gender), name="gender"),
        CheckConstraint(sql_in("je_choice", VaccineChoice), name="je_choice"),
        CheckConstraint(sql_in("hepa_choice", VaccineChoice), name="hepa_choice"),
        Index("ix_children_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date]
    gender: Mapped[str] = mapped_column(String(8))
    je_choice: Mapped[str] = mapped_column(String(12), default=VaccineChoice.LIVE)
    hepa_choice: Mapped[str] = mapped_column(String(12), default=VaccineChoice.LIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[User] = relationship(back_populates="children")  # noqa: F821
    # The database deletes records with the child (ON DELETE CASCADE).
    health_records: Mapped[list[HealthRecord]] = relationship(  # noqa: F821
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def vaccine_choices(self) -> dict[str, str]:
        return {"je": self.je_choice, "hepa": self.hepa_choice}
