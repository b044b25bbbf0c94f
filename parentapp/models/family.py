"""A child's people (家人共管): who may see and act for the child, invites, the pickup list.

A child has up to 6 people, each a parent account with a role for that child
(``CarerRole``); the one who added the child is its first guardian. What each
role may do is ``domain.ROLE_RIGHTS``, checked by ``services.family.access``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import CarerRole, Relation
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class ChildPerson(db.Model):
    __tablename__ = "child_people"
    __table_args__ = (
        CheckConstraint(sql_in("role", CarerRole), name="role"),
        CheckConstraint(f"relation IS NULL OR {sql_in('relation', Relation)}", name="relation"),
        # A person's children, for every listing that covers "all the caller's children".
        Index("ix_child_people_user_id", "user_id", "child_id"),
    )

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(12))
    relation: Mapped[str | None] = mapped_column(String(12))
    # Whether reminders and notices about the child reach this person.
    reminders: Mapped[bool] = mapped_column(default=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()  # noqa: F821


class ChildInvite(db.Model):
    """An open invitation to become one of a child's people, by a short single-use code."""

    __tablename__ = "child_invites"
    __table_args__ = (
        CheckConstraint(sql_in("role", CarerRole), name="role"),
        CheckConstraint(sql_in("relation", Relation), name="relation"),
        Index("ix_child_invites_child_id", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    # Unique over every invite ever made: a code names one invitation for ever.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    relation: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def is_open_at(self, now: datetime) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and now < self.expires_at


class PickupPerson(db.Model):
    """Someone a guardian allows to collect the child from the nursery (in list order)."""

    __tablename__ = "pickup_people"
    __table_args__ = (
        CheckConstraint(sql_in("relation", Relation), name="relation"),
        Index("ix_pickup_people_child_id", "child_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(20))
    relation: Mapped[str] = mapped_column(String(12))
    phone: Mapped[str] = mapped_column(String(20))
