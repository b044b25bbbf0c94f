"""Every model module, imported so that metadata and Alembic see all tables."""

from parentapp.models.base import UTCDateTime, utcnow
from parentapp.models.child import Child
from parentapp.models.health_record import HealthRecord
from parentapp.models.notification import Notification
from parentapp.models.nursery import FilingEvent, Nursery
from parentapp.models.township import Township
from parentapp.models.user import ROLES, AuthToken, User
from parentapp.models.wechat_token import WechatAccessToken

__all__ = [
    "ROLES",
    "AuthToken",
    "Child",
    "FilingEvent",
    "HealthRecord",
    "Notification",
    "Nursery",
    "Township",
    "User",
    "UTCDateTime",
    "WechatAccessToken",
    "utcnow",
]
