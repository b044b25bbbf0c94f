"""Writing and reading the inbox.

``notify`` adds a row inside the caller's transaction (it never commits), so
an event message lands exactly when the change that causes it does. WeChat
delivery of pending rows is the dispatcher's job, never the request's.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.domain import DeliveryState
from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back


def notify(user_id: int, kind: str, *, title: str, body: str, now: datetime,
           template_kind: str | None = None, wechat_data: dict | None = None,
           link: str | None = None, subject: tuple[str, int] | None = None,
           child_id: int | None = None, planned_at: datetime | None = None,
           dedupe_key: str | None = None) -> Notification:
    """Add one message for ``user_id`` to the session (the caller commits).

    Without ``template_kind`` and ``wechat_data`` the message is inbox-only.
    """
    planned = planned_at or now
    wechat = template_kind is not None and wechat_data is not None
    row = Notification(
        user_id=user_id, kind=kind, title=title[:60], body=body[:500], link=link,
        template_kind=template_kind if wechat else None, wechat_data=wechat_data,
        subject_type=subject[0] if subject else None, subject_id=subject[1] if subject else None,
        child_id=child_id, planned_at=planned, send_after=planned, created_at=now,
        delivery_state=DeliveryState.PENDING if wechat else DeliveryState.INBOX_ONLY,
        dedupe_key=dedupe_key,
    )
    db.session.add(row)
    return row


def inbox(user_id: int, *, now: datetime, unread_only: bool, page: int, per_page: int) -> dict:
    stmt = (db.select(Notification)
            .where(Notification.user_id == user_id, Notification.planned_at <= now,
                   Notification.delivery_state != DeliveryState.WITHDRAWN)
            .order_by(Notification.planned_at.desc(), Notification.id.desc()))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(stmt, page, per_page)


@rolls_back
def mark_read(user_id: int, notification_id: int, now: datetime) -> None:
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id or row.planned_at > now:
        raise NotFound("没有找到这条通知。")
    if row.read_at is None:
        row.read_at = now
    db.session.commit()
