"""Opaque tokens: issued, checked and revoked through the database.

An API bearer token and a console session reference are the same kind of row with a
different ``kind``; each is accepted only where it was issued for, so the console's
cookie opens nothing on the API and a bearer token opens no console session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update

from parentapp.domain import TokenKind
from parentapp.errors import Unauthorized
from parentapp.extensions import db
from parentapp.models import AuthToken, User


@dataclass(frozen=True)
class TokenPolicy:
    """The key the stored token hashes are made with, and how long a token lives."""

    secret_key: str
    ttl: timedelta

    def digest(self, raw: str) -> str:
        return hmac.new(self.secret_key.encode(), raw.encode(), hashlib.sha256).hexdigest()


def issue_token(user: User, now: datetime, *, policy: TokenPolicy,
                kind: str = TokenKind.API) -> str:
    """Add a token of ``kind`` for ``user`` to the session; the caller commits."""
    raw = secrets.token_urlsafe(32)
    db.session.add(AuthToken(user=user, token_hash=policy.digest(raw), kind=kind, created_at=now,
                             expires_at=now + policy.ttl))
    return raw


# Every authenticated request runs it: built once, not per request.
TOKEN_AND_USER = (db.select(AuthToken, User).join(User, User.id == AuthToken.user_id)
                  .where(AuthToken.token_hash == bindparam("token_hash"),
                         AuthToken.kind == bindparam("kind")))


def user_for_token(raw: str, now: datetime, *, policy: TokenPolicy,
                   kind: str = TokenKind.API) -> tuple[User, AuthToken]:
    """The live user behind ``raw``, a token of ``kind``; raises Unauthorized for anything
    else."""
    if not raw or len(raw) > 200:
        raise Unauthorized()
    row = db.session.execute(TOKEN_AND_USER, {"token_hash": policy.digest(raw),
                                              "kind": kind}).first()
    if row is None:
        raise Unauthorized()
    token, user = row
    if token.revoked_at is not None or token.expires_at <= now or user.deleted_at is not None:
        raise Unauthorized("登录已失效，请重新登录。")
    return user, token


def revoke_token(token_id: int, now: datetime) -> None:
    db.session.execute(
        update(AuthToken).where(AuthToken.id == token_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all_tokens(user_id: int, now: datetime, *, keep_token_id: int | None = None) -> None:
    """End every live token of the user but ``keep_token_id``; the caller commits."""
    stmt = update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
    if keep_token_id is not None:
        stmt = stmt.where(AuthToken.id != keep_token_id)
    db.session.execute(stmt.values(revoked_at=now))
