"""Parenting classes for their organisers (operators and regulators): the list, publishing,
editing and cancelling. Who comes and attendance are class_roster_pages.

The forms load with the API's own schemas (``ClassCreateSchema``, ``ClassFieldsSchema``,
``ClassCancelSchema``) and call the API's own services, so every rule is the API's.
Dates and times are typed as Asia/Shanghai wall time (``datetime-local``) and sent to
the schema as ISO 8601 with the +08:00 offset it requires.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import local_time_value, submit
from parentapp.console.session_auth import signed_in
from parentapp.domain import ClassStatus, FilingStatus, Role
from parentapp.errors import CapacityBelowEnrolled
from parentapp.extensions import db
from parentapp.models import Nursery, utcnow
from parentapp.schemas.classes import ClassCancelSchema, ClassCreateSchema, ClassFieldsSchema
from parentapp.services.classes import organizing
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.stats.townships import list_townships
from parentapp.timeutil import LOCAL_TZ

ORGANIZERS = ("operator", "regulator")
KIND_NAMES = {"parent_class": "家长课堂", "parent_child": "亲子活动",
              "home_visit_day": "入户指导日"}
STATUS_NAMES = {ClassStatus.SCHEDULED: "未结束", ClassStatus.CANCELLED: "已取消",
                ClassStatus.COMPLETED: "已结束"}
TEXT_FIELDS = ("title", "kind", "township", "venue", "description")
NUMBER_FIELDS = {"lat": float, "lng": float, "capacity": int, "child_age_min_months": int,
                 "child_age_max_months": int, "nursery_id": int}
TIME_FIELDS = ("starts_at", "ends_at", "enroll_deadline")
LIST_PAGE = 100
ENDED_SHOWN = 50  # the latest ended and cancelled classes, after the upcoming ones


@bp.route("/classes")
@signed_in(*ORGANIZERS)
def class_list():
    user_id, now = g.console_user.id, utcnow()
    upcoming = _every_scheduled_class(user_id, now)
    ended = [cls for status in (ClassStatus.COMPLETED, ClassStatus.CANCELLED)
             for cls in organizing.list_organizer_classes(user_id, now, 1, ENDED_SHOWN,
                                                          status=status)["items"]]
    ended.sort(key=lambda cls: cls["starts_at"], reverse=True)
    return render_template("console/class_list.html", classes=upcoming + ended[:ENDED_SHOWN],
                           kinds=KIND_NAMES, statuses=STATUS_NAMES, ended_shown=ENDED_SHOWN)


def _every_scheduled_class(user_id: int, now) -> list[dict]:
    """Every class not yet ended, soonest first (the service lists latest first, a page
    at a time; a regulator may have more than one page)."""
    found, page = [], 1
    while True:
        result = organizing.list_organizer_classes(user_id, now, page, LIST_PAGE,
                                                   status=ClassStatus.SCHEDULED)
        found += result["items"]
        if page * LIST_PAGE >= result["total"]:
            return found[::-1]
        page += 1


@bp.route("/classes/new", methods=["GET", "POST"])
@signed_in(*ORGANIZERS)
def new_class():
    nurseries = _approved_nurseries()
    if request.method == "GET":
        return _class_form(None, _prefill(nurseries), {}, nurseries)
    form = class_form_values(request.form, creating=True)
    result, errors = submit(
        lambda **fields: organizing.create_class(g.console_user.id, fields, utcnow()),
        ClassCreateSchema(), form)
    if errors:
        return _class_form(None, request.form, errors, nurseries), 422
    flash(f"课程“{result['title']}”已发布，家长可以在小程序里报名。", "success")
    return redirect(url_for("console.class_list"))


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@signed_in(*ORGANIZERS)
def edit_class(class_id):
    now = utcnow()
    current = organizing.get_organizer_class(g.console_user.id, class_id, now)
    if request.method == "GET":
        return _class_form(current, _stored_values(current), {}, ())
    result, errors = submit(lambda **changes: _update(current, changes),
                            ClassFieldsSchema(), class_form_values(request.form, creating=False))
    if errors:
        return _class_form(current, request.form, errors, ()), 422
    return redirect(url_for("console.class_list"))


@bp.route("/classes/<int:class_id>/cancel", methods=["GET", "POST"])
@signed_in(*ORGANIZERS)
def cancel_class(class_id):
    current = organizing.get_organizer_class(g.console_user.id, class_id, utcnow())
    if request.method == "GET":
        return _cancel_page(current, {}, "")
    reason = request.form.get("reason", "")
    result, errors = submit(
        lambda **body: organizing.cancel_class(g.console_user.id, class_id, body.get("reason"),
                                               utcnow()),
        ClassCancelSchema(), {"reason": reason} if reason.strip() else {})
    if errors:
        return _cancel_page(current, errors, reason), 422
    told = current["enrolled"] + current["waitlist_length"]
    flash(f"课程“{result['title']}”已取消，已通知 {told} 个报名或候补的家庭。", "success")
    return redirect(url_for("console.class_list"))


def class_form_values(form, creating: bool) -> dict:
    """The typed strings as the schema takes them: numbers as numbers, local times with
    their +08:00 offset. A blank field is left out when publishing (the schema says it is
    required) and sent as null when editing (the schema says it cannot be empty); the
    optional age band is null either way."""
    values: dict = {}
    for name in (*TEXT_FIELDS, *NUMBER_FIELDS, *TIME_FIELDS):
        if name not in form:
            continue
        raw = form[name].strip() if name != "description" else form[name]
        if name in TEXT_FIELDS:
            values[name] = raw
        elif not raw:
            if name.startswith("child_age") or name == "nursery_id" or not creating:
                values[name] = None
        elif name in NUMBER_FIELDS:
            values[name] = _number(raw, NUMBER_FIELDS[name])
        else:
            values[name] = local_time_value(raw)
    return values


def _number(raw: str, kind: type):
    try:
        return kind(raw)
    except ValueError:
        return raw  # the schema answers "应为数字。"


def _update(current: dict, changes: dict) -> dict:
    """Send only what changed: an unchanged start of a class under way is no new rule.
    Times are typed to the minute, so a stored time with seconds is unchanged when the
    form shows it as it was."""
    changed = {key: value for key, value in changes.items() if not _same(key, value, current)}
    if not changed and current["status"] == ClassStatus.SCHEDULED:
        flash("没有修改任何内容。", "success")
        return current
    try:
        result = organizing.update_class(g.console_user.id, current["id"], changed, utcnow())
    except CapacityBelowEnrolled as exc:
        # The API's 409 names the field in its details; the form shows it beside 容量.
        raise CapacityBelowEnrolled(f"{exc.message}{''.join(exc.details['capacity'])}",
                                    details={**exc.details, "field": "capacity"}) from exc
    told = result["enrolled"] + result["waitlist_length"]
    if any(key in changed for key in organizing.SCHEDULE_FIELDS) and told:
        flash(f"课程已更新；时间或地点有变，已通知 {told} 个报名或候补的家庭。", "success")
    else:
        flash("课程已更新。", "success")
    return result


def _same(key: str, value, current: dict) -> bool:
    stored = current[key]
    if key in TIME_FIELDS and value is not None:
        return value == stored.replace(second=0, microsecond=0) or value == stored
    return value == stored


def _approved_nurseries() -> list:
    if g.console_user.role != Role.OPERATOR:
        return []
    own = operator_nurseries.list_own_nurseries(g.console_user.id, 1, 100)["items"]
    return [n for n in own if n.filing_status == FilingStatus.APPROVED]


def _prefill(nurseries: list) -> dict:
    """An operator's class is usually at their nursery: start from its place."""
    values = {"kind": "parent_class", "capacity": "20"}
    if nurseries:
        first = nurseries[0]
        values.update(nursery_id=first.id, township=first.township, lat=first.lat,
                      lng=first.lng, venue=first.name[:60])
    return values


def _stored_values(cls: dict) -> dict:
    values = {key: cls[key] for key in (*TEXT_FIELDS, *NUMBER_FIELDS) if key in cls}
    for key in TIME_FIELDS:
        values[key] = cls[key].astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    return values


def _class_form(current: dict | None, values, errors: dict, nurseries):
    nursery = db.session.get(Nursery, current["nursery_id"]) if current and \
        current["nursery_id"] else None
    return render_template(
        "console/class_form.html", current=current, values=values, errors=errors,
        nurseries=nurseries, nursery_options=[(n.id, n.name) for n in nurseries],
        kinds=KIND_NAMES, statuses=STATUS_NAMES,
        townships=[(t.code, t.name) for t in list_townships()],
        operator=g.console_user.role == Role.OPERATOR,
        nursery_name=nursery.name if nursery else "")


def _cancel_page(current: dict, errors: dict, reason: str):
    return render_template("console/class_cancel.html", cls=current, errors=errors,
                           reason=reason, kinds=KIND_NAMES, statuses=STATUS_NAMES,
                           under_way=current["starts_at"] <= utcnow())
