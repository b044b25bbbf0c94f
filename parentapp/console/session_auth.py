
"""Console sign-in state and CSRF protection for every form.

The signed cookie holds ``session_ref``: a random console-session reference whose keyed
hash is an ``AuthToken`` row of kind ``console``. Readable in the cookie, it is no bearer
token (the API refuses it) and it dies with logout, a password change or deletion.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import abort, g, redirect, request, session, url_for

from parentapp import service_settings
from parentapp.console.blueprint import bp
from parentapp.domain import TokenKind
from parentapp.errors import AppError
from parentapp.models import utcnow
from parentapp.services.accounts.tokens import user_for_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_KEY = "session_ref"


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.before_request
def _check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
        abort(400, description="表单已过期，请刷新页面后重试。")


@bp.before_request
def _load_user() -> None:
    g.console_user = g.console_token = None
    raw = session.get(SESSION_KEY)
    if not raw:
        return
    try:
        g.console_user, g.console_token = user_for_token(
            raw, utcnow(), policy=service_settings.token_policy(), kind=TokenKind.CONSOLE)
    except AppError:
        session.pop(SESSION_KEY, None)


def signed_in(*roles: str):
    """Require a signed-in operator or regulator; with ``roles``, one of those."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = g.console_user
            if user is None:
                return redirect(url_for("console.login", next=request.full_path))
            if user.role not in (roles or ("operator", "regulator")):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"csrf_token": csrf_token}
