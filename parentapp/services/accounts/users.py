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
from parentapp.domain import AuditAction, Role, TokenKind
from parentapp.errors import (
    Forbidden,
    InvalidCredentials,
    InvalidPhoneCode,
    NotFound,
    UsernameTaken,
    ValidationFailed,
)
from parentapp.extensions import db
from parentapp.models import User
from parentapp.services.accounts import cleanup, tokens
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back

log = logging.getLogger(__name__)

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# Checked against a real hash so an unknown username costs the same time as a known one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def mask_phone(phone: str | None) -> str | None:
    return None if not phone else phone[:3] + "****" + phone[-4:]


@rolls_back
def wechat_login(code: str, now: datetime, *, policy: tokens.TokenPolicy) -> tuple[str, User, bool]:
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
    raw = tokens.issue_token(user, now, policy=policy)
    db.session.commit()
    log.info("parent %s logged in (new=%s)", user.id, is_new)
    return raw, user, is_new


def _parent_by_openid(openid: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.wechat_openid == openid))


@rolls_back
def register_operator(*, username: str, password: str, phone: str, name: str, now: datetime,
                      policy: tokens.TokenPolicy, kind: str = TokenKind.API
                      ) -> tuple[str, User]:
    """A new operator account, signed in with a token of ``kind`` (an API bearer token or
    a console session reference). Raises UsernameTaken."""
    user = User(role=Role.OPERATOR, username=username,
                password_hash=generate_password_hash(password),
                phone=phone, name=name, created_at=now)
    _add_staff(user)
    audit.record(user.id, AuditAction.USER_CREATE, user, now=now, after=_staff_facts(user))
    raw = tokens.issue_token(user, now, policy=policy, kind=kind)
    db.session.commit()
    return raw, user


@rolls_back
def create_staff_user(role: str, username: str, password: str, now: datetime) -> User:
    user = User(role=role, username=username, password_hash=generate_password_hash(password),
                created_at=now)
    _add_staff(user)
    # From the command line: nobody signed in did it.
    audit.record(None, AuditAction.USER_CREATE, user, now=now, after=_staff_facts(user))
    db.session.commit()
    return user


def _staff_facts(user: User) -> dict:
    return {"role": user.role, "username": user.username, "name": user.name}


def _add_staff(user: User) -> None:
    """Add the staff account; raises UsernameTaken. Caller commits."""
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise UsernameTaken(details={"username": ["该用户名已被使用。"]}) from exc


@rolls_back
def password_login(username: str, password: str, now: datetime, *,
                   policy: tokens.TokenPolicy, kind: str = TokenKind.API) -> tuple[str, User]:
    """A new token of ``kind`` (an API bearer token or a console session reference).
    Raises InvalidCredentials."""
    user = db.session.scalar(db.select(User).where(
        User.username == username, User.role.in_((Role.OPERATOR, Role.REGULATOR)),
        User.deleted_at.is_(None)))
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, password) or not user:
        raise InvalidCredentials()
    raw = tokens.issue_token(user, now, policy=policy, kind=kind)
    db.session.commit()
    return raw, user


@rolls_back
def change_password(user_id: int, *, old_password: str, new_password: str, keep_token_id: int,
                    now: datetime) -> None:
    """Replace a staff member's password; every session but ``keep_token_id`` ends.

    Raises Forbidden for an account without a password (parents sign in through
    WeChat), ValidationFailed on ``old_password`` when it is wrong, and on
    ``new_password`` when it breaks the password rules or equals the old one.
    """
    user = db.session.get(User, user_id, with_for_update=True)
    if user is None or user.password_hash is None:
        raise Forbidden()
    if not check_password_hash(user.password_hash, old_password):
        raise ValidationFailed.on("old_password", "原密码不正确。")
    validate_password(new_password, field="new_password")
    if new_password == old_password:
        raise ValidationFailed.on("new_password", "新密码不能与原密码相同。")
    user.password_hash = generate_password_hash(new_password)
    tokens.revoke_all_tokens(user.id, now, keep_token_id=keep_token_id)
    db.session.commit()
    log.info("user %s changed their password", user.id)


@rolls_back
def logout(token_id: int, now: datetime) -> None:
    tokens.revoke_token(token_id, now)
    db.session.commit()


@rolls_back
def update_profile(user_id: int, changes: dict) -> User:
    user = _live_user(user_id)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.commit()
    return user


@rolls_back
def bind_phone(user_id: int, code: str) -> str:
    """Store the number WeChat vouches for; returns it masked."""
    user = _live_user(user_id)
    info = wechat.phone_number(code)
    number = info.pure_phone_number
    if str(info.country_code) not in {"86", "+86"} or not MOBILE.match(number or ""):
        raise InvalidPhoneCode("该手机号不是中国大陆手机号。")
    user.phone = number
    db.session.commit()
    return mask_phone(number)


@rolls_back
def delete_account(user_id: int, now: datetime, *, offer_minutes: int) -> None:
    """Erase the parent's personal data, end every token. Children of which the parent
    is the last guardian go with the account; the parent's links to other children end.

    The account row stays as an anonymous tombstone so that history others
    rely on (a nursery's past roster) keeps its keys; the WeChat openid is
    cleared so a new login starts a fresh account.
    """
    user = _live_user(user_id)
    cleanup.before_account_deleted(user, now, offer_minutes=offer_minutes)
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


def _live_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound()
    return user


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < 8:
        raise ValidationFailed.on(field, "密码至少 8 个字符。")
