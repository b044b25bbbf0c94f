
"""Login for parents (WeChat) and staff (password), registration, password change, logout."""

from flask import current_app, g

from parentapp import rate_limits, service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.accounts import (
    LoginSchema,
    PasswordChangeSchema,
    RegisterOperatorSchema,
    StaffTokenSchema,
    WechatLoginResultSchema,
    WechatLoginSchema,
)
from parentapp.schemas.base import EmptySchema, ErrorSchema
from parentapp.security import auth_required
from parentapp.services.accounts import users

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication")


def _ttl() -> int:
    return current_app.config["TOKEN_TTL_SECONDS"]


@blp.route("/wechat-login", methods=["POST"])
@answers("invalid_wechat_code", "rate_limited", "wechat_unavailable")
@blp.arguments(WechatLoginSchema)
@blp.response(200, WechatLoginResultSchema)
@blp.alt_response(429, schema=ErrorSchema, description=(
    "rate_limited: details.limit wechat_logins_per_ip, or WeChat itself is limiting; "
    "Retry-After in seconds"))
def wechat_login(body):
    rate_limits.hit("wechat_logins_per_ip", rate_limits.client_ip())
    token, user, is_new = users.wechat_login(body["code"], utcnow(),
                                              policy=service_settings.token_policy())
    parent = {"id": user.id, "nickname": user.nickname, "is_new": is_new}
    return {"token": token, "expires_in": _ttl(), "parent": parent}


@blp.route("/register-operator", methods=["POST"])
@answers("username_taken")
@blp.arguments(RegisterOperatorSchema)
@blp.response(201, StaffTokenSchema)
def register_operator(body):
    token, user = users.register_operator(now=utcnow(), policy=service_settings.token_policy(),
                                         **body)
    return {"token": token, "expires_in": _ttl(), "user": user}


@blp.route("/login", methods=["POST"])
@answers("invalid_credentials", "rate_limited")
@blp.arguments(LoginSchema)
@blp.response(200, StaffTokenSchema)
@blp.alt_response(429, schema=ErrorSchema, description=(
    "rate_limited: details.limit logins_per_ip or login_failures; Retry-After in seconds"))
def login(body):
    """429 rate_limited: ``logins_per_ip``, or ``login_failures`` (5 failed logins of the
    username within 15 minutes lock it for 15 minutes)."""
    rate_limits.hit("logins_per_ip", rate_limits.client_ip())
    token, user = rate_limits.guarded_login(body["username"], lambda: users.password_login(
        body["username"], body["password"], utcnow(), policy=service_settings.token_policy()))
    return {"token": token, "expires_in": _ttl(), "user": user}


@blp.route("/logout", methods=["POST"])
@auth_required()
@blp.arguments(EmptySchema(), required=False)
@blp.response(204)
def logout(_body=None):
    users.logout(g.token.id, utcnow())


@blp.route("/password", methods=["POST"])
@auth_required("operator", "regulator")
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(422, schema=ErrorSchema, description=(
    "validation_error: details.old_password when it is wrong, details.new_password when "
    "it is under 8 characters or equals the old one"))
def change_password(body):
    """Change the caller's password; every other session of the account ends."""
    users.change_password(g.user.id, keep_token_id=g.token.id, now=utcnow(), **body)
