"""Who comes to a class, and marking attendance, for its organiser.

The roster is rendered from the API's own dump (``ClassRosterItemSchema``), so phones
are masked exactly as the API masks them; attendance goes through the API's schema
(``ClassAttendanceSchema``) and service, which allow it once the class has started.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.class_pages import KIND_NAMES, ORGANIZERS, STATUS_NAMES
from parentapp.console.forms import submit
from parentapp.console.session_auth import signed_in
from parentapp.models import utcnow
from parentapp.schemas.class_enrollments import ClassAttendanceSchema, ClassRosterItemSchema
from parentapp.services.classes import organizing
from parentapp.services.classes import roster as class_roster

PER_PAGE = 100
ENTRY_STATUS_NAMES = {"enrolled": "已报名", "waitlisted": "候补", "left": "已退出",
                      "cancelled": "课程取消"}


@bp.route("/classes/<int:class_id>/enrollments")
@signed_in(*ORGANIZERS)
def class_enrollments(class_id):
    return _roster_page(class_id, {}, [])


@bp.route("/classes/<int:class_id>/attendance", methods=["POST"])
@signed_in(*ORGANIZERS)
def class_attendance(class_id):
    chosen = request.form.getlist("enrollment_ids")
    form = {"enrollment_ids": [int(v) if v.isdigit() else v for v in chosen],
            "attended": request.form.get("attended") != "0"}
    result, errors = submit(
        lambda **body: class_roster.mark_attendance(g.console_user.id, class_id, now=utcnow(),
                                                    **body),
        ClassAttendanceSchema(), form)
    if errors:
        return _roster_page(class_id, errors, chosen), 422
    verb = "出勤" if form["attended"] else "未出勤"
    flash(f"已将 {len(chosen)} 个家庭标记为{verb}；目前共 {result['attended']} 个家庭出勤。",
          "success")
    return redirect(url_for("console.class_enrollments", class_id=class_id,
                            page=request.args.get("page", 1, type=int)))


def _roster_page(class_id: int, errors: dict, chosen: list[str]):
    now = utcnow()
    cls = organizing.get_organizer_class(g.console_user.id, class_id, now)
    page = max(request.args.get("page", 1, type=int), 1)
    result = class_roster.roster(g.console_user.id, class_id, page=page, per_page=PER_PAGE)
    closed = _attendance_closed(cls, now)
    return render_template(
        "console/class_enrollments.html", cls=cls, page=page, total=result["total"],
        pages=-(-result["total"] // PER_PAGE),
        entries=ClassRosterItemSchema(many=True).dump(result["items"]),
        errors=errors, chosen=chosen, closed=closed, kinds=KIND_NAMES, statuses=STATUS_NAMES,
        entry_statuses=ENTRY_STATUS_NAMES)


def _attendance_closed(cls: dict, now) -> str:
    """Why attendance cannot be marked yet, in the service's words, or ''."""
    if cls["cancelled_at"] is not None:
        return "课程已取消，不能登记出勤。"
    if now < cls["starts_at"]:
        return "课程开始后才能登记出勤。"
    return ""
