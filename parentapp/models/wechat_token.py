"""The one WeChat access token shared by every process (see mini_program_api)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db
from parentapp.models.base import UTCDateTime


class WechatAccessToken(db.Model):
    __tablename__ = "wechat_access_tokens"

    appid: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
