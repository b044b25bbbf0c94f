"""Notification rows, grants and WeChat client settings for the reminder and dispatch tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db
from parentapp.models import Notification, SubscriptionGrant, User
from parentapp.timeutil import local_instant

# A weekday morning, outside quiet hours.
NOW = local_instant(date(2026, 12, 1), time(10))


def vaccine_data(marker: str = "1") -> dict[str, str]:
    return {"thing1": "百白破疫苗 第1剂", "date2": "2026年12月3日", "name3": "小明",
            "thing4": f"请按时接种 {marker}"}


def make_notification(user: User, now: datetime = NOW, **overrides) -> Notification:
    """A pending vaccine reminder due a minute before ``now``."""
    fields = {"user_id": user.id, "kind": "vaccine", "template_kind": "vaccine",
              "title": "疫苗接种提醒", "body": "内容", "link": "/pages/children/health-plan?id=1",
              "wechat_data": vaccine_data(), "planned_at": now - timedelta(minutes=1),
              "send_after": now - timedelta(minutes=1), "delivery_state": "pending",
              "attempts": 0, "created_at": now - timedelta(minutes=1)}
    fields.update(overrides)
    row = Notification(**fields)
    db.session.add(row)
    db.session.commit()
    return row


def give_grants(user: User, kind: str = "vaccine", count: int = 1, fake=None) -> None:
    """``count`` grants in our database and, with ``fake``, at the fake WeChat too."""
    row = db.session.get(SubscriptionGrant, (user.id, kind))
    if row is None:
        db.session.add(SubscriptionGrant(user_id=user.id, template_kind=kind, grants=count,
                                         updated_at=NOW))
    else:
        row.grants += count
    db.session.commit()
    if fake is not None:
        fake.grant(user.wechat_openid, SANDBOX_TEMPLATES[kind], count)


def grants_left(user: User, kind: str = "vaccine") -> int:
    db.session.expire_all()
    row = db.session.get(SubscriptionGrant, (user.id, kind))
    return 0 if row is None else row.grants


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)
