
"""Sign-in, sign-out, password change, the landing page; feature pages have their own modules."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from parentapp import rate_limits, service_settings
from parentapp.console.blueprint import bp
from parentapp.console.navigation import NURSERY_TABS, nav_items
from parentapp.console.session_auth import SESSION_KEY, signed_in
from parentapp.domain import TokenKind
from parentapp.errors import AppError, ValidationFailed
from parentapp.models import utcnow
from parentapp.schemas.accounts import PasswordChangeSchema
from parentapp.services.accounts import users
from parentapp.timeutil import LOCAL_TZ


def safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect to another host after sign-in.
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/console"):
        return url_for("console.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("console/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        if not username or not password:
            raise AppError("请输入用户名和密码。")
        rate_limits.hit("logins_per_ip", rate_limits.client_ip())
        ref, _ = rate_limits.guarded_login(username, lambda: users.password_login(
            username, password, utcnow(), policy=service_settings.token_policy(),
            kind=TokenKind.CONSOLE))
    except AppError as exc:
        status = 429 if exc.status == 429 else 401
        return render_template("console/login.html", error=exc.message, username=username,
                               next=request.form.get("next", "")), status, exc.headers
    session.clear()
    session[SESSION_KEY] = ref
    return redirect(safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
@signed_in()
def logout():
    users.logout(g.console_token.id, utcnow())
    session.clear()
    flash("已退出登录。", "success")
    return redirect(url_for("console.login"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in()
def change_password():
    if request.method == "GET":
        return render_template("console/password.html", errors={})
    form = {key: request.form[key] for key in ("old_password", "new_password")
            if request.form.get(key)}
    try:
        data = PasswordChangeSchema().load(form)
        if request.form.get("confirm_password") != data["new_password"]:
            raise ValidationFailed.on("confirm_password", "两次输入的新密码不一致。")
        users.change_password(g.console_user.id, keep_token_id=g.console_token.id,
                              now=utcnow(), **data)
    except ValidationError as exc:
        return render_template("console/password.html", errors=exc.messages), 422
    except ValidationFailed as exc:
        return render_template("console/password.html", errors=exc.details), 422
    flash("密码已修改，其他设备上的登录已退出。", "success")
    return redirect(url_for("console.home"))


@bp.route("/")
@signed_in()
def home():
    return render_template("console/home.html", user=g.console_user)


@bp.errorhandler(AppError)
def app_error(error: AppError):
    return render_template("console/error.html", message=error.message), error.status


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    messages = {403: "当前账号无权访问此页面。", 404: "没有找到该页面。"}
    message = messages.get(error.code, error.description or "请求有误。")
    return render_template("console/error.html", message=message), error.code


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"nav_items": nav_items, "nursery_tab_items": NURSERY_TABS}


@bp.app_template_filter("localtime")
def localtime(instant) -> str:
    """An aware instant as Asia/Shanghai wall time for people."""
    return instant.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
