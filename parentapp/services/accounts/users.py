"""Accounts: WeChat login for parents, passwords for staff, logout and deletion.

WeChat is called before any database work starts, so no transaction is held
open across the network.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from parentapp import wechat
from parentapp.domain import Role
from parentapp.errors import (
    InvalidCredentials,
    InvalidPhoneCode,
    NotFound,
    UsernameTaken,
    ValidationFailed,
)
from parentapp.extensions import db
from parentapp.models import Child, User
from parentapp.services.accounts import cleanup, tokens

log = logging.getLogger(__name__)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Checked against a real hash so an unknown username costs the same time as a known one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def mask_phone(phone: str | None) -> str | None:
    return None if not phone else phone[:3] + "****" + phone[-4:]


def wechat_login(code: str, now: datetime) -> tuple[str, User, bool]:
    """Exchange ``code`` once with WeChat; create the parent on first login.

    Raises InvalidWechatCode, WechatUnavailable (nothing is created then).
    """
    session = wechat.code_to_session(code)
    user = _parent_by_openid(session.openid)
    is_new = user is None
    if is_new:
        user = User(role=Role.PARENT, wechat_openid=session.openid, created_at=now)
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:
            # A concurrent first login created the parent a moment ago.
            db.session.rollback()
            user, is_new = _parent_by_openid(session.openid), False
    raw = tokens.issue_token(user, now)
    db.session.commit()
    log.info("parent %s logged in (new=%s)", user.id, is_new)
    return raw, user, is_new


def _parent_by_openid(openid: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.wechat_openid == openid))


def register_operator(username: str, password: str, phone: str, name: str,
                      now: datetime) -> tuple[str, User]:
    user = User(role=Role.OPERATOR, username=username,
                password_hash=generate_password_hash(password),
                phone=phone, name=name, created_at=now)
    return _create_staff(user, now)


def create_staff_user(role: str, username: str, password: str, now: datetime) -> User:
    user = User(role=role, username=username, password_hash=generate_password_hash(password),
                created_at=now)
    _create_staff(user, now, with_token=False)
    return user


def _create_staff(user: User, now: datetime, with_token: bool = True) -> tuple[str | None, User]:
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise UsernameTaken(details={"username": ["该用户名已被使用。"]}) from exc
    raw = tokens.issue_token(user, now) if with_token else None
    db.session.commit()
    return raw, user


def password_login(username: str, password: str, now: datetime) -> tuple[str, User]:
    user = db.session.scalar(db.select(User).where(
        User.username == username, User.role.in_((Role.OPERATOR, Role.REGULATOR)),
        User.deleted_at.is_(None)))
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, password) or not user:
        raise InvalidCredentials()
    raw = tokens.issue_token(user, now)
    db.session.commit()
    return raw, user


def set_password(user_id: int, password: str, now: datetime) -> None:
    """A password change ends every session of the account."""
    user = db.session.get(User, user_id)
    if user is None or user.role == Role.PARENT:
        raise NotFound()
    user.password_hash = generate_password_hash(password)
    tokens.revoke_all_tokens(user.id, now)
    db.session.commit()


def logout(token_id: int, now: datetime) -> None:
    tokens.revoke_token(token_id, now)
    db.session.commit()


def update_profile(user: User, changes: dict) -> User:
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def bind_phone(user: User, code: str) -> str:
    """Store the number WeChat vouches for; returns it masked."""
    info = wechat.phone_number(code)
    number = info.pure_phone_number
    if str(info.country_code) not in {"86", "+86"} or not MOBILE.match(number or ""):
        raise InvalidPhoneCode("该手机号不是中国大陆手机号。")
    user.phone = number
    db.session.commit()
    return mask_phone(number)


def delete_account(user: User, now: datetime) -> None:
    """Erase the parent's personal data and children, end every token.

    The account row stays as an anonymous tombstone so that history others
    rely on (a nursery's past roster) keeps its keys; the WeChat openid is
    cleared so a new login starts a fresh account.
    """
    cleanup.before_account_deleted(user, now)
    db.session.execute(db.delete(Child).where(Child.parent_id == user.id))
    user.wechat_openid = None
    user.username = None
    user.password_hash = None
    user.nickname = None
    user.name = None
    user.phone = None
    user.township = None
    user.deleted_at = now
    tokens.revoke_all_tokens(user.id, now)
    db.session.commit()


def validate_password(password: str) -> None:
    if len(password) < 8:
        raise ValidationFailed.on("password", "密码至少 8 个字符。")
