"""One-time WeChat subscription grants a family holds, per template kind.

Each ``accept`` from ``wx.requestSubscribeMessage`` allows exactly one later
send on that template; the dispatcher spends one per send with a conditional
UPDATE, so the count never goes below zero (also a constraint).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.domain import TemplateKind
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class SubscriptionGrant(db.Model):
    __tablename__ = "subscription_grants"
    __table_args__ = (
        CheckConstraint("grants >= 0", name="grants_not_negative"),
        CheckConstraint(sql_in("template_kind", TemplateKind), name="template_kind"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    template_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    grants: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
