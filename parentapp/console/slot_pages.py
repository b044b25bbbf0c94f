"""Operator slot pages: generating a range of slots, and the month calendar with a change
of one slot or the same change of several (all or nothing, as the API's batch).

The calendar's batch form needs no script: a slot's box selects it, a day's box every
slot of that day and the month's box every slot shown, still to come.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from parentapp import service_settings
from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, attempt, field_errors, submit
from parentapp.console.labels import WEEKDAY_NAMES
from parentapp.console.pages import safe_next
from parentapp.console.session_auth import signed_in
from parentapp.domain import CARE_TYPE_NAMES, CareType
from parentapp.errors import AppError, CapacityExceedsLicensedPlaces, ValidationFailed
from parentapp.models import utcnow
from parentapp.schemas.slots import SlotBatchSchema, SlotChangeSchema, SlotGenerateSchema
from parentapp.services.nurseries import offerings, operator_nurseries, slot_changes, slots
from parentapp.services.nurseries.slots import PART_NAMES, SlotView
from parentapp.timeutil import local_today

BATCH_ACTIONS = {"capacity": "设为容量", "close": "关闭", "open": "重新开放"}


# -- generation ---------------------------------------------------------------------------

@bp.route("/nurseries/<int:nursery_id>/slots/new", methods=["GET", "POST"])
@signed_in("operator")
def generate_slots(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    offered = [o.care_type for o in offerings.own_offerings(g.console_user.id, nursery.id)]
    if request.method == "GET":
        return _generation_page(nursery, offered, _default_generation(offered), {})
    form = _generation_form(request.form)
    result, errors = submit(lambda **data: _generate(nursery.id, data), SlotGenerateSchema(),
                            form)
    if errors:
        return _generation_page(nursery, offered, request.form, errors), 422
    flash(f"已生成 {result['created']} 个时段，{result['skipped_existing']} 个已存在未变。",
          "success")
    return redirect(url_for("console.generate_slots", nursery_id=nursery.id,
                            shown=form["from"][:7], care_type=form["care_type"]))


def _generate(nursery_id: int, data: dict) -> dict:
    try:
        return slots.generate_slots(
            g.console_user.id, nursery_id, care_type=data["care_type"],
            day_from=data["from_"], day_to=data["to"], weekdays=data["weekdays"],
            capacity=data["capacity"], parts=data.get("parts"), now=utcnow())
    except CapacityExceedsLicensedPlaces as exc:  # a problem of the capacity typed
        raise ValidationFailed.on("capacity", exc.message) from exc


def _generation_form(form) -> dict:
    """The typed form as the API schema takes it: weekdays as integers, parts only for
    half-day care (the other care types take their times from the opening hours)."""
    data = {key: form.get(key, "").strip() for key in ("care_type", "from", "to", "capacity")}
    data = {key: value for key, value in data.items() if value}
    data["weekdays"] = [_number(day) for day in form.getlist("weekdays")]
    if "capacity" in data:
        data["capacity"] = _number(data["capacity"])
    if data.get("care_type") == CareType.HALF_DAY and form.getlist("parts"):
        data["parts"] = form.getlist("parts")
    return data


def _default_generation(offered: list[str]) -> dict:
    """From tomorrow to the end of next month (at most 62 days), Monday to Friday."""
    tomorrow = local_today(utcnow()) + timedelta(days=1)
    following = (tomorrow.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = following.replace(day=calendar.monthrange(following.year, following.month)[1])
    return {"care_type": offered[0] if offered else "", "from": tomorrow.isoformat(),
            "to": end.isoformat(), "weekdays": ["1", "2", "3", "4", "5"],
            "parts": ["am", "pm"], "capacity": ""}


def _generation_page(nursery, offered: list[str], values, errors: Errors):
    listed = values.getlist if hasattr(values, "getlist") else values.get
    shown = _month_start(request.args.get("shown"), None)
    return render_template(
        "console/generate_slots.html", nursery=nursery, errors=errors, values=values,
        weekdays=listed("weekdays") or [], parts=listed("parts") or [], shown=shown,
        shown_care_type=request.args.get("care_type", ""),
        care_types=[(key, CARE_TYPE_NAMES[key]) for key in offered],
        weekday_names=WEEKDAY_NAMES, part_names=PART_NAMES, care_type_names=CARE_TYPE_NAMES)


# -- the month calendar ---------------------------------------------------------------------

@bp.route("/nurseries/<int:nursery_id>/calendar")
@signed_in("operator")
def slot_calendar(nursery_id):
    return _calendar_page(nursery_id, request.args)


def _calendar_page(nursery_id: int, args, batch: dict | None = None,
                   errors: Errors | None = None, selected: frozenset[int] = frozenset()):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    now = utcnow()
    today = local_today(now)
    first = _month_start(args.get("month"), today)
    offered = [o.care_type for o in offerings.own_offerings(g.console_user.id, nursery.id)]
    care_type = _care_type(args.get("care_type"), offered)
    views = _month_views(nursery.id, first, care_type)
    by_day: dict[date, list[SlotView]] = {}
    for view in views:
        by_day.setdefault(view.date, []).append(view)
    last = _month_end(first)
    return render_template(
        "console/calendar.html", nursery=nursery, first=first, today=today, by_day=by_day,
        weeks=calendar.Calendar().monthdatescalendar(first.year, first.month),
        changeable={v.id for v in views if v.slot.starts_at() > now},
        care_type=care_type, care_types=CARE_TYPE_NAMES, offered=offered,
        weekday_names=WEEKDAY_NAMES, batch_actions=BATCH_ACTIONS,
        batch=batch or {"action": "capacity"}, errors=errors or {}, selected=selected,
        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
        following=(last + timedelta(days=1)).strftime("%Y-%m"))


def _month_views(nursery_id: int, first: date, care_type: str) -> list[SlotView]:
    return slots.list_slots(nursery_id, day_from=first, day_to=_month_end(first),
                            care_type=care_type, now=utcnow(), viewer_id=g.console_user.id,
                            offer_minutes=service_settings.offer_minutes())


@bp.route("/slots/<int:slot_id>", methods=["POST"])
@signed_in("operator")
def change_slot(slot_id):
    form = {key: request.form[key].strip() for key in ("capacity", "status", "reason")
            if request.form.get(key, "").strip()}
    if "capacity" in form:
        form["capacity"] = _number(form["capacity"])
    attempt(lambda **change: slot_changes.change_slot(g.console_user.id, slot_id, change,
                                                      utcnow(),
                                                      offer_minutes=service_settings.offer_minutes()),
            "时段已更新。", SlotChangeSchema(), form)
    return redirect(safe_next(request.form.get("back")))


@bp.route("/nurseries/<int:nursery_id>/slots/batch", methods=["POST"])
@signed_in("operator")
def change_slots(nursery_id):
    """One change (capacity, close with a reason, or open) to every selected slot."""
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    offered = [o.care_type for o in offerings.own_offerings(g.console_user.id, nursery.id)]
    first = _month_start(request.form.get("month"), local_today(utcnow()))
    args = {"month": first.strftime("%Y-%m"),
            "care_type": _care_type(request.form.get("care_type"), offered)}
    views = {v.id: v for v in _month_views(nursery.id, first, args["care_type"])
             if v.slot.starts_at() > utcnow()}
    chosen = _chosen(request.form, views)
    batch = {key: request.form.get(key, "").strip() for key in ("action", "capacity", "reason")}
    errors = _apply_batch(nursery.id, batch, sorted(chosen), views)
    if errors:
        return _calendar_page(nursery.id, args, batch, errors, frozenset(chosen)), 422
    flash(f"已修改 {len(chosen)} 个时段。", "success")
    return redirect(url_for("console.slot_calendar", nursery_id=nursery.id, **args))


def _chosen(form, views: dict[int, SlotView]) -> set[int]:
    """The slots ticked one by one, by their day, or the whole month (those to come)."""
    if form.get("whole_month"):
        return set(views)
    days = set(form.getlist("days"))
    ticked = {_number(raw) for raw in form.getlist("slot_ids")}
    return {sid for sid, view in views.items()
            if sid in ticked or view.date.isoformat() in days}


def _apply_batch(nursery_id: int, batch: dict, ids: list[int],
                 views: dict[int, SlotView]) -> Errors:
    if not ids:
        return {"_schema": ["请先勾选要修改的时段。"], "slot_ids": ["请至少勾选一个时段。"]}
    if batch["action"] not in BATCH_ACTIONS:
        return {"action": ["请选择要做的修改。"]}
    change = {"capacity": {"capacity": _number(batch["capacity"]) if batch["capacity"] else None},
              "close": {"status": "closed", **({"reason": batch["reason"]} if batch["reason"]
                                               else {})},
              "open": {"status": "open"}}[batch["action"]]
    if batch["action"] == "capacity" and change["capacity"] is None:
        return {"capacity": ["请填写容量。"]}
    try:
        data = SlotBatchSchema().load({"changes": [{"slot_id": sid, **change} for sid in ids]})
        slot_changes.change_slots(g.console_user.id, nursery_id, data["changes"], utcnow(),
                                  offer_minutes=service_settings.offer_minutes())
    except ValidationError as exc:
        return _item_errors(exc.messages)
    except AppError as exc:
        return {"_schema": [_refusal(exc, views)]}
    return {}


def _item_errors(messages: dict) -> Errors:
    """Every item takes the same change, so a problem of one item is the form field's."""
    errors: Errors = {}
    for item in (messages.get("changes") or {}).values():
        for name, problems in field_errors(item).items():
            errors.setdefault(name, list(dict.fromkeys(problems)))
    return errors or field_errors(messages)


def _refusal(exc: AppError, views: dict[int, SlotView]) -> str:
    """The service's refusal naming the slots it concerns (date and time): nothing changed."""
    details = exc.details if isinstance(exc.details, dict) else {}
    named = [views[sid] for sid in details.get("slot_ids", []) if sid in views]
    where = "、".join(_slot_words(v) for v in named)
    message = f"{where}：{exc.message}" if where else exc.message
    return f"{message}所有勾选的时段都没有修改。"


def _slot_words(view: SlotView) -> str:
    """``12月3日 周四 08:00（已约 2，候补保留 1）``"""
    held = f"，候补保留 {view.held}" if view.held else ""
    return (f"{view.date.month}月{view.date.day}日 {WEEKDAY_NAMES[view.date.isoweekday()]} "
            f"{view.start_time:%H:%M}（已约 {view.booked}{held}）")


def _care_type(raw: str | None, offered: list[str]) -> str:
    """The care type asked for, else the first one offered."""
    if raw in CARE_TYPE_NAMES:
        return raw
    return offered[0] if offered else CareType.FULL_DAY


def _number(raw: str):
    """An integer when the text is one; else the text itself, for the schema to refuse."""
    return int(raw) if raw.lstrip("-").isdigit() else raw


def _month_start(raw: str | None, today: date | None) -> date | None:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1) if today else None


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])
