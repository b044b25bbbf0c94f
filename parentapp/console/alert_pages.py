"""Alerts for both roles: an operator sees their own nurseries', a regulator every
nursery's and closes an open one with a note (the API's listing and close services).

A close without a note is shown again beside that alert's note field, with HTTP 422.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, app_errors, field_errors, problems_text
from parentapp.console.pages import safe_next
from parentapp.console.session_auth import signed_in
from parentapp.domain import AlertKind, AlertStatus
from parentapp.errors import AppError, NotFound
from parentapp.extensions import db
from parentapp.models import Nursery, User, utcnow
from parentapp.schemas.alerts import AlertCloseSchema, AlertQuerySchema
from parentapp.services.alerts import listing
from parentapp.services.alerts.clusters import SYMPTOM_NAMES
from parentapp.timeutil import LOCAL_TZ

PER_PAGE = 50
KIND_NAMES = {AlertKind.ILLNESS_CLUSTER: "聚集性疾病", AlertKind.RATIO_BREACH: "师幼比不达标",
              AlertKind.CERTIFICATE_EXPIRING: "证件即将到期",
              AlertKind.CERTIFICATE_EXPIRED: "证件已过期"}
STATUS_NAMES = {AlertStatus.OPEN: "未处理", AlertStatus.CLOSED: "已关闭"}


@bp.route("/alerts")
@signed_in("operator", "regulator")
def alert_list():
    return _render_alerts()


@bp.route("/alerts/<int:alert_id>/close", methods=["POST"])
@signed_in("regulator")
def close_alert(alert_id):
    typed = request.form.get("note", "").strip()
    try:
        note = AlertCloseSchema().load({"note": typed} if typed else {})["note"]
    except ValidationError as exc:
        return _render_alerts({alert_id: field_errors(exc.messages)}, typed={alert_id: typed})
    try:
        listing.close_alert(g.console_user.id, alert_id, note, utcnow())
    except NotFound:
        raise
    except AppError as exc:
        if exc.status == 422:
            return _render_alerts({alert_id: app_errors(exc)}, typed={alert_id: typed})
        flash(exc.message, "error")
    else:
        flash("预警已关闭。", "success")
    back = request.form.get("back")
    return redirect(safe_next(back) if back else url_for("console.alert_list"))


def _render_alerts(close_errors: dict[int, Errors] | None = None,
                   typed: dict[int, str] | None = None):
    args = {key: value for key, value in request.args.items() if value.strip()}
    try:
        query = AlertQuerySchema().load(args)
    except ValidationError as exc:
        alerts, error, errors = None, "筛选条件有误：" + problems_text(exc.messages), \
            field_errors(exc.messages)
    else:
        error, errors = None, {}
        filters = {"page": query["page"], "per_page": PER_PAGE, "status": query.get("status")}
        user = g.console_user
        alerts = (listing.county_alerts(**filters) if user.role == "regulator"
                  else listing.operator_alerts(user.id, **filters))
    items = alerts["items"] if alerts else []
    closer_ids = {a.closed_by for a in items if a.closed_by}
    nurseries = nursery_names(items)
    closers = {u.id: u.display_name for u in db.session.scalars(
        db.select(User).where(User.id.in_(closer_ids)))} if closer_ids else {}
    status = 422 if close_errors else 200
    return render_template("console/alerts.html", alerts=alerts, error=error, errors=errors,
                           args=args, nurseries=nurseries, closers=closers,
                           kinds=KIND_NAMES, statuses=STATUS_NAMES, summary=alert_summary,
                           close_errors=close_errors or {}, typed=typed or {},
                           can_close=g.console_user.role == "regulator"), status


def nursery_names(alerts) -> dict[int, str]:
    """The name of each listed alert's nursery, by id (one query)."""
    ids = {a.nursery_id for a in alerts}
    return dict(db.session.execute(db.select(Nursery.id, Nursery.name).where(
        Nursery.id.in_(ids))).all()) if ids else {}


def alert_summary(alert) -> str:
    """The alert's details in words (missing details are left out, never guessed)."""
    d = alert.details or {}
    if alert.kind == AlertKind.ILLNESS_CLUSTER:
        span = d.get("from") if d.get("from") == d.get("to") else \
            f"{d.get('from', '?')} 至 {d.get('to', '?')}"
        symptom = SYMPTOM_NAMES.get(d.get("symptom"), d.get("symptom") or "疾病")
        return f"{span} 有 {d.get('children', '?')} 名儿童因{symptom}离园或因病缺勤"
    if alert.kind == AlertKind.RATIO_BREACH:
        if not d:
            return "在岗保育人员不足"
        at = d.get("at")
        when = (datetime.fromisoformat(at).astimezone(LOCAL_TZ).strftime("%m-%d %H:%M ")
                if at else "")
        return (f"{when}在园儿童 {d.get('children', '?')} 名，需要保育人员 "
                f"{d.get('carers_required', '?')} 名，在岗 {d.get('carers_on_duty', '?')} 名")
    if alert.kind in (AlertKind.CERTIFICATE_EXPIRING, AlertKind.CERTIFICATE_EXPIRED):
        paper = d.get("certificate") or "证件"
        if d.get("number"):
            paper = f"{paper}（{d['number']}）"
        verb = "已于" if alert.kind == AlertKind.CERTIFICATE_EXPIRED else "将于"
        end = "过期" if alert.kind == AlertKind.CERTIFICATE_EXPIRED else "到期"
        return f"员工{d.get('staff_name', '')}的{paper}{verb} {d.get('expires_on', '?')} {end}"
    return "；".join(f"{k}：{v}" for k, v in d.items()) or "—"
