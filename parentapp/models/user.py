"""Accounts of every role, and their revocable tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import Role, TokenKind
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(sql_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    # Parents sign in with WeChat; operators and regulators with a password.
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(40))
    nickname: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    township: Mapped[str | None] = mapped_column(ForeignKey("townships.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The children the account is one of the people of, whatever its role (read-only:
    # a child's people are ``Child.people``).
    children: Mapped[list[Child]] = relationship(  # noqa: F821
        secondary="child_people", viewonly=True, order_by="Child.id")

    @property
    def display_name(self) -> str | None:
        """What people call a staff member: their name, else their username."""
        return self.name or self.username


class AuthToken(db.Model):
    """A bearer token, stored only as its keyed hash so a database leak grants nothing."""

    __tablename__ = "auth_tokens"
    __table_args__ = (Index("ix_auth_tokens_user_id", "user_id"),
                      CheckConstraint(sql_in("kind", TokenKind), name="kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default=TokenKind.API,
                                      server_default=TokenKind.API.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
