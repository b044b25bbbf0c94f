"""Operator pages: own nurseries, a month of slots with inline changes (the day's roster is
roster_pages)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import g, redirect, render_template, request

from parentapp import service_settings
from parentapp.console.blueprint import bp
from parentapp.console.forms import attempt
from parentapp.console.pages import safe_next
from parentapp.console.session_auth import signed_in
from parentapp.domain import CARE_TYPE_NAMES
from parentapp.models import utcnow
from parentapp.schemas.slots import SlotChangeSchema
from parentapp.services.nurseries import operator_nurseries, slot_changes, slots
from parentapp.services.nurseries.filings import STATUS_NAMES
from parentapp.timeutil import local_today


@bp.route("/nurseries")
@signed_in("operator")
def my_nurseries():
    own = operator_nurseries.list_own_nurseries(g.console_user.id, 1, 100)
    return render_template("console/my_nurseries.html", nurseries=own["items"],
                           names=STATUS_NAMES)


@bp.route("/nurseries/<int:nursery_id>/calendar")
@signed_in("operator")
def slot_calendar(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    now = utcnow()
    first = _month_start(request.args.get("month"), local_today(now))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    care_type = request.args.get("care_type", "full_day")
    care_type = care_type if care_type in CARE_TYPE_NAMES else "full_day"
    views = slots.list_slots(nursery.id, day_from=first, day_to=last, care_type=care_type, now=now,
                             viewer_id=g.console_user.id,
                             offer_minutes=service_settings.offer_minutes())
    by_day: dict[date, list] = {}
    for view in views:
        by_day.setdefault(view.slot.date, []).append(view)
    weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
    return render_template(
        "console/calendar.html", nursery=nursery, first=first, weeks=weeks, by_day=by_day,
        care_type=care_type, care_types=CARE_TYPE_NAMES,
        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
        following=(last + timedelta(days=1)).strftime("%Y-%m"))


@bp.route("/slots/<int:slot_id>", methods=["POST"])
@signed_in("operator")
def change_slot(slot_id):
    form = {key: request.form[key].strip() for key in ("capacity", "status", "reason")
            if request.form.get(key, "").strip()}
    if "capacity" in form and form["capacity"].lstrip("-").isdigit():
        form["capacity"] = int(form["capacity"])  # the API schema takes JSON numbers only
    attempt(lambda **change: slot_changes.change_slot(g.console_user.id, slot_id, change,
                                                      utcnow(),
                                                      offer_minutes=service_settings.offer_minutes()),
            "时段已更新。", SlotChangeSchema(), form)
    return redirect(safe_next(request.form.get("back")))


def _month_start(raw: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
