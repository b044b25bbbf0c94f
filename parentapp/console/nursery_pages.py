"""An operator's nursery: creating it, its profile (filing state, the reason of a
rejection or revocation, the filing trail, editing) and submitting it for filing.

The forms load with the API's own schemas (``NurseryCreateSchema``,
``NurseryUpdateSchema``) and call the API's services, so every rule is the API's: what
the service refuses (a revoked nursery's profile) and what it does (a changed
registration fact sends a filed nursery back to review) is its message and its state.
Offerings are offering_pages.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError

from parentapp.console.blueprint import bp
from parentapp.console.filing_pages import KIND_NAMES, ROLE_NAMES
from parentapp.console.forms import Errors, field_errors, submit
from parentapp.console.labels import label
from parentapp.console.session_auth import signed_in
from parentapp.domain import FilingStatus
from parentapp.models import Nursery, utcnow
from parentapp.models.nursery import REGISTRATION_FACTS
from parentapp.schemas.nurseries import NurseryCreateSchema, NurseryUpdateSchema
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.nurseries.filings import STATUS_NAMES, TRANSITIONS
from parentapp.services.stats.townships import list_townships

REGISTRATION_NAMES = {"nonprofit": "非营利性", "for_profit": "营利性"}
TEXT_FIELDS = ("name", "kind", "registration_type", "credit_code", "township", "address",
               "lat", "lng", "phone")
HOURS = ("day", "am", "pm")
# The state whose reason the operator must read first: why it was sent back or closed.
EXPLAINED = (FilingStatus.REJECTED, FilingStatus.REVOKED)


@bp.route("/nurseries/new", methods=["GET", "POST"])
@signed_in("operator")
def new_nursery():
    if request.method == "GET":
        return _form_page("console/nursery_new.html", None, _blank_values(), {})
    fields, errors = _load(NurseryCreateSchema(), nursery_form_values(request.form, True))
    if not errors:
        nursery, errors = submit(lambda: operator_nurseries.create_nursery(
            g.console_user.id, fields, utcnow()))
    if errors:
        return _form_page("console/nursery_new.html", None, request.form, errors), 422
    flash(f"机构“{nursery.name}”已保存为草稿。请设置服务项目，然后提交备案。", "success")
    return redirect(url_for("console.nursery_profile", nursery_id=nursery.id))


@bp.route("/nurseries/<int:nursery_id>/profile", methods=["GET", "POST"])
@signed_in("operator")
def nursery_profile(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    if request.method == "GET":
        return _form_page("console/nursery_profile.html", nursery, stored_values(nursery), {})
    before = nursery.filing_status
    changes, errors = _load(NurseryUpdateSchema(), nursery_form_values(request.form, False))
    if not errors:
        _, errors = submit(lambda: operator_nurseries.update_nursery(
            g.console_user.id, nursery.id, changes, utcnow()))
    if errors:
        return _form_page("console/nursery_profile.html", nursery, request.form, errors), 422
    flash(_saved_message(before, nursery), "success")
    return redirect(url_for("console.nursery_profile", nursery_id=nursery.id))


@bp.route("/nurseries/<int:nursery_id>/filing", methods=["POST"])
@signed_in("operator")
def submit_filing(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    _, errors = submit(lambda: operator_nurseries.submit_filing(
        g.console_user.id, nursery.id, utcnow()))
    if errors:
        return _form_page("console/nursery_profile.html", nursery, stored_values(nursery),
                          {"filing": errors["_schema"]}), 409
    flash("已提交备案，请等待县卫生健康委审核。审核结果会在这里和消息中通知您。", "success")
    return redirect(url_for("console.nursery_profile", nursery_id=nursery.id))


def nursery_form_values(form, creating: bool) -> dict:
    """The typed strings as the schema takes them. A blank field is left out when creating
    (the schema says it is required) and sent as null when editing (it says it cannot be
    empty); the description may be blank. The boxes are always sent: unticked is false."""
    values: dict = {}
    for name in TEXT_FIELDS:
        raw = form.get(name, "").strip()
        if raw:
            values[name] = raw
        elif not creating:
            values[name] = None
    places = form.get("licensed_places", "").strip()
    if places:
        values["licensed_places"] = int(places) if places.isdigit() else places
    elif not creating:
        values["licensed_places"] = None
    values["opening_hours"] = {part: [form.get(f"{part}_start", "").strip(),
                                      form.get(f"{part}_end", "").strip()] for part in HOURS}
    values["description"] = form.get("description", "")
    values["inclusive"] = form.get("inclusive") == "1"
    values["open_to_public"] = form.get("open_to_public") == "1"
    return values


def _load(schema: Schema, form: dict) -> tuple[dict, Errors]:
    """The schema's data, or its problems with the opening hours' beside their part."""
    try:
        return schema.load(form), {}
    except ValidationError as exc:
        messages = dict(exc.messages)
        hours = messages.pop("opening_hours", None)
        errors = field_errors(messages)
        if isinstance(hours, dict):
            errors |= {f"hours_{part}": problems
                       for part, problems in field_errors(hours).items()}
        elif hours:
            errors["hours_day"] = field_errors(hours)["_schema"]
        return {}, errors


def _saved_message(before: str, nursery: Nursery) -> str:
    if before == FilingStatus.APPROVED and nursery.filing_status == FilingStatus.PENDING:
        return "资料已保存。登记信息有变，备案已转为“待审核”，审核通过前家长查不到本机构。"
    if nursery.filing_status == FilingStatus.PENDING:
        return "资料已保存。备案正在审核，审核人员会看到这次修改。"
    return "资料已保存。"


def stored_values(nursery: Nursery) -> dict:
    values = {name: getattr(nursery, name) for name in (*TEXT_FIELDS, "licensed_places",
                                                         "description")}
    for part in HOURS:
        values[f"{part}_start"], values[f"{part}_end"] = nursery.opening_hours[part]
    values["inclusive"] = "1" if nursery.inclusive else ""
    values["open_to_public"] = "1" if nursery.open_to_public else ""
    return values


def _blank_values() -> dict:
    """A new nursery's usual hours and an open employer nursery; the rest typed."""
    return {"day_start": "08:00", "day_end": "17:30", "am_start": "08:00", "am_end": "12:00",
            "pm_start": "14:00", "pm_end": "17:30", "open_to_public": "1"}


def _form_page(template: str, nursery: Nursery | None, values, errors: Errors):
    events = list(nursery.events) if nursery else []
    return render_template(
        template, nursery=nursery, values=values, errors=errors, events=events,
        reason=_latest_reason(nursery, events), can_submit=_can_submit(nursery),
        names=STATUS_NAMES, roles=ROLE_NAMES, kinds=KIND_NAMES,
        registrations=REGISTRATION_NAMES, label=label,
        townships=[(t.code, t.name) for t in list_townships()],
        refiled=[operator_nurseries.FIELD_NAMES[key] for key in REGISTRATION_FACTS])


def _latest_reason(nursery: Nursery | None, events: list) -> str | None:
    """Why the nursery is rejected or revoked: the reason of the step that made it so."""
    if nursery is None or nursery.filing_status not in EXPLAINED:
        return None
    reasons = [e.reason for e in events if e.to_status == nursery.filing_status]
    return reasons[-1] if reasons else None


def _can_submit(nursery: Nursery | None) -> bool:
    return nursery is not None and nursery.filing_status in TRANSITIONS["submit"][0]
