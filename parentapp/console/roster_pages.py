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
from parentapp.console.forms import attempt
from parentapp.console.labels import WEEKDAY_NAMES
from parentapp.console.pages import safe_next
from parentapp.console.session_auth import signed_in
from parentapp.domain import CARE_TYPE_NAMES, RELATION_NAMES
from parentapp.errors import AppError, PickupNotAuthorised
from parentapp.models import utcnow
from parentapp.schemas.bookings import CheckOutSchema, RosterEntrySchema
from parentapp.services.booking import roster
from parentapp.services.nurseries import operator_nurseries
from parentapp.timeutil import local_today

ROSTER_ACTIONS = {"check_in": "已签到。", "check_out": "已签退。", "no_show": "已标记未到。"}
BOOKING_STATUS_NAMES = {"confirmed": "已确认", "checked_in": "已签到", "completed": "已签退",
                        "no_show": "未到", "cancelled": "家长已取消",
                        "cancelled_by_nursery": "机构已取消"}
_FIELD = "pickup:"  # flash category of a refusal shown beside a booking's pickup field


@bp.route("/nurseries/<int:nursery_id>/roster")
@signed_in("operator")
def day_roster(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    now = utcnow()
    today = local_today(now)
    day = _day(request.args.get("date"), today)
    entries = roster.roster(g.console_user.id, nursery.id, day=day, include_cancelled=False,
                            page=1, per_page=100)["items"]
    field_errors: dict[int, list[str]] = {}
    for category, message in get_flashed_messages(with_categories=True):
        if category.startswith(_FIELD):
            field_errors.setdefault(int(category.removeprefix(_FIELD)), []).append(message)
    return render_template("console/roster.html", nursery=nursery, day=day, today=today,
                           previous=day - timedelta(days=1), following=day + timedelta(days=1),
                           entries=RosterEntrySchema(many=True).dump(entries),
                           offered={e.booking.id: roster.offered_actions(e, now)
                                    for e in entries},
                           field_errors=field_errors, care_types=CARE_TYPE_NAMES,
                           relations=RELATION_NAMES, names=BOOKING_STATUS_NAMES,
                           weekday=WEEKDAY_NAMES[day.isoweekday()])


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
