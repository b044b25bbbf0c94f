"""Operator self-registration in the console: the API's ``register-operator`` rules
(``RegisterOperatorSchema``, ``users.register_operator``), then signed in at once with a
console session. The API counts no rate limit on registration, so neither does this page.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from parentapp import service_settings
from parentapp.console.blueprint import bp
from parentapp.console.forms import submit
from parentapp.console.session_auth import SESSION_KEY
from parentapp.domain import TokenKind
from parentapp.errors import UsernameTaken, ValidationFailed
from parentapp.models import utcnow
from parentapp.schemas.accounts import RegisterOperatorSchema
from parentapp.services.accounts import users

FIELDS = ("username", "name", "phone", "password")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if g.console_user is not None:
        return redirect(url_for("console.home"))
    if request.method == "GET":
        return render_template("console/register.html", values={}, errors={})
    form = {key: request.form[key] for key in FIELDS if request.form.get(key)}
    result, errors = submit(lambda **account: _register(account, request.form),
                            RegisterOperatorSchema(), form)
    if errors:
        return render_template("console/register.html", values=request.form,
                               errors=errors), 422
    ref, user = result
    session.clear()
    session[SESSION_KEY] = ref
    flash(f"账号 {user.username} 已注册并登录。下一步：填写机构信息。", "success")
    return redirect(url_for("console.new_nursery"))


def _register(account: dict, form) -> tuple[str, object]:
    if form.get("confirm_password", "") != account["password"]:
        raise ValidationFailed.on("confirm_password", "两次输入的密码不一致。")
    try:
        return users.register_operator(now=utcnow(), policy=service_settings.token_policy(),
                                       kind=TokenKind.CONSOLE, **account)
    except UsernameTaken as exc:  # a problem of the username typed
        raise ValidationFailed.on("username", exc.message) from exc
