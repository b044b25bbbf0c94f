"""The audit log: one row per change an operator or a regulator makes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """Who did what to which subject, when, and the changed fields before and after.

    ``actor_id`` is empty for the command line (staff accounts created by
    ``flask users create``); ``subject_id`` is text because a township's key is its code.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),
                      Index("ix_audit_log_actor_id_at", "actor_id", "at"),
                      Index("ix_audit_log_nursery_id_at", "nursery_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(40))
    nursery_id: Mapped[int | None] = mapped_column(ForeignKey("nurseries.id",
                                                              ondelete="SET NULL"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()  # noqa: F821
    nursery: Mapped[Nursery | None] = relationship()  # noqa: F821

    @property
    def actor_name(self) -> str | None:
        return self.actor.display_name if self.actor else None

    @property
    def actor_role(self) -> str | None:
        return self.actor.role if self.actor else None

    @property
    def nursery_name(self) -> str | None:
        return self.nursery.name if self.nursery else None
