"""The operator's day: the roster with each child's pickup list, and attendance.

The roster is rendered from the API's own dump (``RosterEntrySchema``), so the page
masks phones exactly as the API does. A check-out asks who collected the child; a
refusal (someone not on the child's pickup list) is shown beside that field. Each line
offers only what the service would accept now (``roster.offered_actions``): check-in and
check-out on today's roster, a no-show once the slot has started.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, g, get_flashed_messages, redirect, render_template, request
from marshmallow import ValidationError

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, app_errors, attempt, field_errors
from parentapp.console.labels import WEEKDAY_NAMES
from parentapp.console.pages import safe_next
from parentapp.console.session_auth import signed_in
from parentapp.domain import CARE_TYPE_NAMES, RELATION_NAMES, CheckResult, Symptom
from parentapp.errors import AppError, NotFound, PickupNotAuthorised
from parentapp.extensions import db
from parentapp.models import Booking, utcnow
from parentapp.schemas.alerts import HealthCheckBodySchema
from parentapp.schemas.bookings import CheckOutSchema, RosterEntrySchema
from parentapp.services.alerts import checks
from parentapp.services.alerts.clusters import SYMPTOM_NAMES
from parentapp.services.booking import roster
from parentapp.services.nurseries import operator_nurseries
from parentapp.timeutil import local_today

ROSTER_ACTIONS = {"check_in": "已签到。", "check_out": "已签退。", "no_show": "已标记未到。"}
BOOKING_STATUS_NAMES = {"confirmed": "已确认", "checked_in": "已签到", "completed": "已签退",
                        "no_show": "未到", "cancelled": "家长已取消",
                        "cancelled_by_nursery": "机构已取消"}
RESULT_NAMES = {CheckResult.OK.value: "正常入园", CheckResult.SENT_HOME.value: "劝离回家"}
SYMPTOM_OPTIONS = [(s.value, SYMPTOM_NAMES.get(s, s.value)) for s in Symptom]
_FIELD = "pickup:"  # flash category of a refusal shown beside a booking's pickup field


@bp.route("/nurseries/<int:nursery_id>/roster")
@signed_in("operator")
def day_roster(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    return _render_roster(nursery, _day(request.args.get("date"), local_today(utcnow())))


@bp.route("/bookings/<int:booking_id>/morning-check", methods=["POST"])
@signed_in("operator")
def morning_check(booking_id):
    """Today's morning check of a checked-in child (the API's service); problems are
    shown beside the line's fields with HTTP 422, another operator's booking is 404."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("没有找到这个预约。")
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, booking.nursery_id)
    form = {"symptoms": request.form.getlist("symptoms")}
    for name in ("temperature_c", "result"):
        if request.form.get(name, "").strip():
            form[name] = request.form[name].strip()
    try:
        data = HealthCheckBodySchema().load(form)
        recorded = checks.record_health_check(g.console_user.id, booking_id, now=utcnow(), **data)
    except ValidationError as exc:
        errors = field_errors(exc.messages)
    except NotFound:
        raise
    except AppError as exc:
        errors = app_errors(exc)
    else:
        flash("晨检已记录。" if recorded.created else "晨检已更新。", "success")
        return redirect(safe_next(request.form.get("back")))
    return _render_roster(nursery, local_today(utcnow()), check_errors={booking_id: errors},
                          check_typed={booking_id: request.form}), 422


def _render_roster(nursery, day: date, check_errors: dict[int, Errors] | None = None,
                   check_typed: dict | None = None):
    now = utcnow()
    today = local_today(now)
    entries = roster.roster(g.console_user.id, nursery.id, day=day, include_cancelled=False,
                            page=1, per_page=100)["items"]
    field_errors_: dict[int, list[str]] = {}
    for category, message in get_flashed_messages(with_categories=True):
        if category.startswith(_FIELD):
            field_errors_.setdefault(int(category.removeprefix(_FIELD)), []).append(message)
    return render_template("console/roster.html", nursery=nursery, day=day, today=today,
                           previous=day - timedelta(days=1), following=day + timedelta(days=1),
                           entries=RosterEntrySchema(many=True).dump(entries),
                           offered={e.booking.id: roster.offered_actions(e, now)
                                    for e in entries},
                           field_errors=field_errors_, care_types=CARE_TYPE_NAMES,
                           relations=RELATION_NAMES, names=BOOKING_STATUS_NAMES,
                           weekday=WEEKDAY_NAMES[day.isoweekday()],
                           checks=checks.day_checks((e.booking.id for e in entries), day),
                           check_errors=check_errors or {}, check_typed=check_typed or {},
                           results=RESULT_NAMES, symptom_options=SYMPTOM_OPTIONS,
                           symptom_names=dict(SYMPTOM_OPTIONS))


@bp.route("/bookings/<int:booking_id>/<action>", methods=["POST"])
@signed_in("operator")
def roster_action(booking_id, action):
    day = _day(request.form.get("date"), local_today(utcnow()))
    if action == "check_out":
        _check_out(booking_id, day)
    elif action in ROSTER_ACTIONS:
        attempt(lambda: roster.mark_attendance(g.console_user.id, booking_id, action=action,
                                               day=day, now=utcnow()), ROSTER_ACTIONS[action])
    return redirect(safe_next(request.form.get("back")))


def _check_out(booking_id: int, day: date) -> None:
    """Check out naming who collected the child; a bad or unlisted name is flashed for
    the booking's field, any other refusal (not checked in) at the top."""
    typed = request.form.get("picked_up_by", "").strip()
    try:
        name = CheckOutSchema().load({"picked_up_by": typed} if typed else {}).get(
            "picked_up_by")
        entry = roster.mark_attendance(g.console_user.id, booking_id, action="check_out",
                                       day=day, now=utcnow(), picked_up_by=name)
    except ValidationError as exc:
        for message in exc.messages.get("picked_up_by", []):
            flash(f"接走的人：{message}", f"{_FIELD}{booking_id}")
    except PickupNotAuthorised as exc:
        flash(exc.message, f"{_FIELD}{booking_id}")
    except AppError as exc:
        flash(exc.message, "error")
    else:
        who = f"（{entry.picked_up_by}接走）" if entry.picked_up_by else ""
        flash(f"已签退{who}。", "success")


def _day(raw: str | None, today: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
