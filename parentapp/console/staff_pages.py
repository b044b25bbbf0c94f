"""A nursery's staff (员工) and its carer ratio now (今日配比), for its operator.

Forms load through the API's schemas (``StaffHireSchema``, ``StaffChangeSchema``) and
call the same services, so the rules live in one place. The operator sees phones in
full here, as in the API; no other console page shows staff. Certificates are typed
in rows; a row left blank is no certificate.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, attempt, submit
from parentapp.console.session_auth import signed_in
from parentapp.domain import StaffRole
from parentapp.models import utcnow
from parentapp.schemas.staff import RatioSchema, StaffChangeSchema, StaffHireSchema
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.staff import duty, employment, ratio

ROLE_NAMES = {StaffRole.CARER: "保育人员", StaffRole.HEALTH: "保健人员",
              StaffRole.DIRECTOR: "负责人", StaffRole.COOK: "炊事人员", StaffRole.OTHER: "其他"}
BAND_NAMES = {"infant": ("乳儿", "12 个月以下", 3), "toddler": ("托小", "12 到 23 个月", 5),
              "older": ("托大", "24 个月及以上", 7)}
ACTIONS = {"check-in": (duty.check_in_staff, "已签到。"),
           "check-out": (duty.check_out_staff, "已签退。"),
           "leave": (employment.staff_leaves, "已办理离职，记录保留。")}
FIELDS = ("name", "phone", "role", "health_certificate_expires_on")
CERTIFICATE_ROWS = 2  # blank rows offered beside those already recorded


@bp.route("/nurseries/<int:nursery_id>/staff", methods=["GET", "POST"])
@signed_in("operator")
def staff_list(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    if request.method == "GET":
        return _list_page(nursery, {}, {})
    _, errors = submit(lambda **data: employment.hire_staff(
        g.console_user.id, nursery.id, now=utcnow(), **data), StaffHireSchema(),
        staff_form(request.form))
    if errors:
        return _list_page(nursery, request.form, errors), 422
    flash(f"已添加员工 {request.form.get('name', '').strip()}。", "success")
    return redirect(url_for("console.staff_list", nursery_id=nursery.id))


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@signed_in("operator")
def edit_staff(staff_id):
    staff = employment.owned_staff(g.console_user.id, staff_id)
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, staff.nursery_id)
    if request.method == "GET":
        return _edit_page(nursery, staff, _values(staff), {})
    _, errors = submit(lambda **data: employment.change_staff(
        g.console_user.id, staff_id, data, utcnow()), StaffChangeSchema(),
        staff_form(request.form))
    if errors:
        return _edit_page(nursery, staff, request.form, errors), 422
    flash("员工信息已保存。", "success")
    return redirect(url_for("console.staff_list", nursery_id=nursery.id))


@bp.route("/staff/<int:staff_id>/<action>", methods=["POST"])
@signed_in("operator")
def staff_action(staff_id, action):
    staff = employment.owned_staff(g.console_user.id, staff_id)
    if action in ACTIONS:
        service, success = ACTIONS[action]
        attempt(lambda: service(g.console_user.id, staff_id, utcnow()),
                f"{staff.name}{success}")
    return redirect(url_for("console.staff_list", nursery_id=staff.nursery_id))


@bp.route("/nurseries/<int:nursery_id>/ratio")
@signed_in("operator")
def ratio_now(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    now = ratio.nursery_ratio(g.console_user.id, nursery.id, utcnow())
    return render_template("console/ratio.html", nursery=nursery,
                           ratio=RatioSchema().dump(now), bands=BAND_NAMES,
                           band_need={band: ratio.carers_required({band: count})
                                      for band, count in now.children.items()})


def staff_form(form) -> dict:
    """The typed form as the schemas take it: a blank health certificate date is none,
    certificate rows with a kind or a number are the ``certificates`` list (the whole
    list: an edit shows every recorded one)."""
    values = {name: form.get(name, "").strip() for name in FIELDS}
    expires = values.pop("health_certificate_expires_on")
    values["health_certificate_expires_on"] = expires or None
    rows = zip(form.getlist("cert_kind"), form.getlist("cert_number"),
               form.getlist("cert_expires_on"), strict=False)
    values["certificates"] = [
        {"kind": kind.strip(), "number": number.strip(), "expires_on": on.strip() or None}
        for kind, number, on in rows if kind.strip() or number.strip()]
    return values


def _values(staff) -> dict:
    return {"name": staff.name, "phone": staff.phone, "role": staff.role,
            "health_certificate_expires_on": staff.health_certificate_expires_on or ""}


def _certificate_rows(typed, certificates) -> list[dict]:
    if hasattr(typed, "getlist"):
        rows = [{"kind": k, "number": n, "expires_on": e} for k, n, e in zip(
            typed.getlist("cert_kind"), typed.getlist("cert_number"),
            typed.getlist("cert_expires_on"), strict=False) if k.strip() or n.strip()]
    else:
        rows = [{"kind": c.kind, "number": c.number, "expires_on": c.expires_on or ""}
                for c in certificates]
    return rows + [{"kind": "", "number": "", "expires_on": ""}] * CERTIFICATE_ROWS


def _list_page(nursery, typed, errors: Errors):
    people = employment.list_staff(g.console_user.id, nursery.id)
    return render_template("console/staff.html", nursery=nursery, people=people,
                           values=typed, errors=errors, roles=ROLE_NAMES,
                           certificate_rows=_certificate_rows(typed, []))


def _edit_page(nursery, staff, typed, errors: Errors):
    return render_template("console/staff_edit.html", nursery=nursery, staff=staff,
                           values=typed, errors=errors, roles=ROLE_NAMES,
                           certificate_rows=_certificate_rows(typed, staff.certificates))
