"""Regulator pages: the filing queue, one filing with its audit trail, and decisions."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import attempt
from parentapp.console.session_auth import signed_in
from parentapp.models import utcnow
from parentapp.schemas.filings import ApproveFilingSchema, FilingReasonSchema
from parentapp.services.nurseries import filings
from parentapp.services.stats.townships import list_townships

KIND_NAMES = {"nursery": "托育机构", "kindergarten_class": "幼儿园托班",
              "employer": "用人单位托育点"}
ACTIONS = {
    "approve": (filings.approve_filing, ApproveFilingSchema, "备案已通过。"),
    "reject": (filings.reject_filing, FilingReasonSchema, "备案已退回。"),
    "revoke": (filings.revoke_filing, FilingReasonSchema, "备案已撤销。"),
}


@bp.route("/filings")
@signed_in("regulator")
def filing_queue():
    status = request.args.get("status", "pending")
    status = status if status in filings.REVIEWABLE else None
    page = max(request.args.get("page", 1, type=int), 1)
    queue = filings.filing_queue(status, None, page, 50)
    return render_template("console/filings.html", queue=queue, status=status,
                           statuses=filings.REVIEWABLE, names=filings.STATUS_NAMES,
                           kinds=KIND_NAMES, townships=_township_names())


@bp.route("/filings/<int:nursery_id>")
@signed_in("regulator")
def filing_detail(nursery_id):
    record = filings.get_filing(nursery_id)
    return render_template("console/filing.html", record=record, names=filings.STATUS_NAMES,
                           kinds=KIND_NAMES, townships=_township_names())


@bp.route("/filings/<int:nursery_id>/<action>", methods=["POST"])
@signed_in("regulator")
def filing_decision(nursery_id, action):
    if action not in ACTIONS:
        return redirect(url_for("console.filing_detail", nursery_id=nursery_id))
    service, schema, success = ACTIONS[action]
    field = "filing_no" if action == "approve" else "reason"
    attempt(lambda **data: service(nursery_id, data[field], g.console_user.id, utcnow()),
            success, schema(), {field: request.form.get(field, "")})
    return redirect(url_for("console.filing_detail", nursery_id=nursery_id))


def _township_names() -> dict[str, str]:
    return {t.code: t.name for t in list_townships()}
