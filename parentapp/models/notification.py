"""Every message to an account is a row: the in-app inbox and the WeChat outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.domain import DeliveryState
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(sql_in("delivery_state", DeliveryState), name="delivery_state"),
        # The inbox: an account's visible rows, newest first.
        Index("ix_notifications_inbox", "user_id", "planned_at"),
        # The dispatcher: due rows by state and time.
        Index("ix_notifications_dispatch", "delivery_state", "send_after"),
        # Withdrawing a child's or a booking's pending reminders.
        Index("ix_notifications_child", "child_id", "delivery_state"),
        Index("ix_notifications_subject", "subject_type", "subject_id"),
        # The regulators' operational view: recent rows by state.
        Index("ix_notifications_created", "created_at", "delivery_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What happened, for programs: vaccine, checkup, booking_reminder, booking_cancelled,
    # waitlist_offer, class_promoted, filing_approved ...
    kind: Mapped[str] = mapped_column(String(32))
    # Which WeChat template may carry it (vaccine/checkup/booking/class), None: inbox only.
    template_kind: Mapped[str | None] = mapped_column(String(16))
    # Idempotency: one row per (family, subject, kind, planned day).
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    subject_type: Mapped[str | None] = mapped_column(String(24))
    subject_id: Mapped[int | None]
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(200))
    wechat_data: Mapped[dict | None] = mapped_column(JSON)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    delivery_state: Mapped[str] = mapped_column(String(12), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(40))
    msgid: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set (with the grant spent) just before the WeChat call: a row whose lease expires
    # after this may have been delivered, so it is never sent again.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # No WeChat send after this instant (e.g. the booking has started); the inbox keeps it.
    send_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Health reminders: the plan items one (coalesced) message covers,
    # [{"code": "DTaP-1", "name": "百白破疫苗 第1剂", "due": "2026-12-03",
    #   "stage": "due" | "overdue"}]; recording an item removes it from pending rows.
    covered_items: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
