
"""Bearer-token authentication and role checks for views."""

from __future__ import annotations

import functools

from flask import g, request

from parentapp import service_settings
from parentapp.errors import Forbidden, Unauthorized
from parentapp.models import User, utcnow
from parentapp.services.accounts.tokens import user_for_token

BEARER_SECURITY = [{"bearerAuth": []}]


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthorized()
    return raw.strip()


def auth_required(*roles: str):
    """Require a live token; with ``roles``, one of those roles (else 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user, token = user_for_token(_bearer_token(), utcnow(),
                                         policy=service_settings.token_policy())
            if roles and user.role not in roles:
                raise Forbidden()
            g.user, g.token = user, token
            return view(*args, **kwargs)

        # Tell flask-smorest's spec that this endpoint takes a bearer token,
        apidoc = getattr(wrapper, "_apidoc", {})
        # and which roles it admits (parentapp.api.error_docs documents 401 and 403 from these).
        manual = apidoc.setdefault("manual_doc", {})
        manual["security"], manual["x-roles"] = BEARER_SECURITY, list(roles)
        wrapper._apidoc = apidoc
        return wrapper

    return decorator


def viewer_id(role: str | None = None) -> int | None:
    """The signed-in account's id on a public endpoint (of ``role`` only, when given)."""
    user = optional_user()
    return user.id if user is not None and (role is None or user.role == role) else None


def optional_user() -> User | None:
    """The caller when a valid token is sent; None for anonymous browsing."""
    if "Authorization" not in request.headers:
        return None
    user, _ = user_for_token(_bearer_token(), utcnow(), policy=service_settings.token_policy())
    return user


def current_user() -> User:
    return g.user
