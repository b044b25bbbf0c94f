"""Where health-reminder planning stands for each child, so planning is incremental.

A child is planned again when it never was (``planned_at`` null or no row),
when something changed since (``version > planned_version``: a record, a
birth date or vaccine choice) or when its next reminder comes into the
planning horizon (``next_plan_on`` reached). ``next_plan_on`` null: nothing
left to remind until something changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime


class ReminderPlan(db.Model):
    __tablename__ = "reminder_plans"
    __table_args__ = (Index("ix_reminder_plans_next_plan_on", "next_plan_on"),)

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"),
                                          primary_key=True)
    # Bumped by every change that can move a reminder; the planner stores what it saw.
    version: Mapped[int] = mapped_column(default=0)
    planned_version: Mapped[int] = mapped_column(default=0)
    next_plan_on: Mapped[date | None]
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
