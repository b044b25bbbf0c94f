"""The app's one MiniProgramClient, and WeChat errors as the contract's errors.

The access token lives in the database so every web worker and the scheduler
share it (WeChat's stable token must be cached in one place).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import select

import mini_program_api as mp
from parentapp.errors import (
    Forbidden,
    InvalidPhoneCode,
    InvalidWechatCode,
    RateLimited,
    WechatUnavailable,
)
from parentapp.extensions import db
from parentapp.models import WechatAccessToken
from parentapp.services.common.dialect_insert import insert_for

log = logging.getLogger(__name__)


# How long a process reuses the token it last read or stored before reading the row again.
TOKEN_REUSE_SECONDS = 60.0


class DatabaseTokenCache:
    """mini_program_api's TokenCache on our database, in its own short transaction.

    The token read or stored last is reused for ``TOKEN_REUSE_SECONDS`` without reading
    the row (a dispatcher would otherwise read it before every message). Should another
    process replace the token meanwhile, WeChat refuses the old one and the client's one
    refresh asks WeChat's stable_token again (no forced refresh), which answers the
    current token.
    """

    def __init__(self, reuse_seconds: float = TOKEN_REUSE_SECONDS) -> None:
        self._reuse = reuse_seconds
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, mp.CachedToken]] = {}

    def get(self, appid: str) -> mp.CachedToken | None:
        with self._lock:
            kept = self._kept.get(appid)
        if kept is not None and time.monotonic() - kept[0] < self._reuse:
            return kept[1]
        with db.engine.connect() as conn:
            row = conn.execute(select(WechatAccessToken.token, WechatAccessToken.expires_at)
                               .where(WechatAccessToken.appid == appid)).first()
        if row is None:
            return None
        return self._keep(appid, mp.CachedToken(token=row[0], expires_at=row[1]))

    def _keep(self, appid: str, token: mp.CachedToken) -> mp.CachedToken:
        with self._lock:
            self._kept[appid] = (time.monotonic(), token)
        return token

    def set(self, appid: str, token: str, expires_at: datetime) -> None:
        # An upsert: two processes fetching a token at once must not collide on the key.
        stmt = insert_for(WechatAccessToken.__table__).values(appid=appid, token=token,
                                                              expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=["appid"],
            set_={"token": stmt.excluded.token, "expires_at": stmt.excluded.expires_at})
        with db.engine.begin() as conn:
            conn.execute(stmt)
        self._keep(appid, mp.CachedToken(token=token, expires_at=expires_at))


def _end_transaction() -> None:
    """No WeChat call may run while this request holds a database transaction.

    The caller has nothing pending (it only read, e.g. to authenticate); ending
    the read transaction frees SQLite's write lock for the token cache and
    keeps PostgreSQL from idling in a transaction across the network.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes before a WeChat call")
    session.commit()


def client() -> mp.MiniProgramClient:
    app = current_app._get_current_object()
    found = app.extensions.get("wechat_client")
    if found is None:
        found = mp.MiniProgramClient(
            appid=app.config["WECHAT_APPID"],
            secret=app.config["WECHAT_SECRET"],
            api_base=app.config["WECHAT_API_BASE"],
            token_cache=DatabaseTokenCache(),
            # (connect, read) seconds; tests shorten the read timeout.
            timeout=app.config.get("WECHAT_TIMEOUT", (3.05, 10)),
        )
        app.extensions["wechat_client"] = found
    return found


def code_to_session(code: str) -> mp.Session:
    _end_transaction()
    try:
        return client().code2session(code)
    except mp.InvalidCode as exc:
        raise InvalidWechatCode() from exc
    except mp.RiskyUser as exc:
        raise Forbidden("微信判定该账号存在风险，暂时无法登录。") from exc
    except mp.RateLimited as exc:
        raise RateLimited(headers={"Retry-After": "60"}) from exc
    except mp.MiniProgramError as exc:
        log.warning("code2session failed: %s", exc.errcode)
        raise WechatUnavailable() from exc


def phone_number(code: str) -> mp.PhoneInfo:
    _end_transaction()
    try:
        return client().get_phone_number(code)
    except mp.InvalidPhoneCode as exc:
        raise InvalidPhoneCode() from exc
    except (mp.Busy, mp.TransportError, mp.ResponseTimeout, mp.InvalidToken) as exc:
        raise WechatUnavailable() from exc
    except mp.MiniProgramError as exc:
        log.warning("getuserphonenumber failed: %s", exc.errcode)
        raise InvalidPhoneCode() from exc
