"""A child: only what the features need (name, birth date, sex). Who may see and act for
it are its people (``models.family.ChildPerson``), not a column of its own."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import Gender, HbsagMother, VaccineChoice
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class Child(db.Model):
    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint(sql_in("gender", Gender), name="gender"),
        CheckConstraint(sql_in("je_choice", VaccineChoice), name="je_choice"),
        CheckConstraint(sql_in("hepa_choice", VaccineChoice), name="hepa_choice"),
        CheckConstraint(sql_in("hbsag_mother", HbsagMother), name="hbsag_mother"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date]
    gender: Mapped[str] = mapped_column(String(8))
    je_choice: Mapped[str] = mapped_column(String(12), default=VaccineChoice.LIVE)
    hepa_choice: Mapped[str] = mapped_column(String(12), default=VaccineChoice.LIVE)
    # Special groups of the schedule (optional; None: not given).
    hbsag_mother: Mapped[str | None] = mapped_column(String(8))
    birth_weight_g: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    people: Mapped[list[ChildPerson]] = relationship(  # noqa: F821
        cascade="all, delete-orphan", passive_deletes=True, order_by="ChildPerson.since")
    # The database deletes records with the child (ON DELETE CASCADE).
    health_records: Mapped[list[HealthRecord]] = relationship(  # noqa: F821
        cascade="all, delete-orphan", passive_deletes=True)

    # The caller's role and relation for this child, set by ``services.family.access``.
    my_role = None
    my_relation = None

    @property
    def first_guardian_id(self) -> int | None:
        """The earliest guardian still linked (the family's account for statistics)."""
        return next((p.user_id for p in self.people if p.role == "guardian"), None)

    @property
    def vaccine_choices(self) -> dict[str, str]:
        return {"je": self.je_choice, "hepa": self.hepa_choice}


def guarded_by(user: User, child: Child, *, since=None) -> Child:  # noqa: F821
    """``child`` with ``user`` as its first guardian (for seeds, demos and tests; the
    service is ``accounts.children.add_child``)."""
    from parentapp.models.family import ChildPerson

    child.people.append(ChildPerson(user=user, role="guardian", reminders=True,
                                    since=since or child.created_at or utcnow()))
    return child
