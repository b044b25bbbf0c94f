"""Regulator pages: the filing queue, one filing with its audit trail, and decisions.

A decision that fails is shown again on the filing's page with what was typed and the
problem beside its field (HTTP 422); nothing changes.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import submit
from parentapp.console.labels import label
from parentapp.console.session_auth import signed_in
from parentapp.extensions import db
from parentapp.models import User, utcnow
from parentapp.schemas.filings import ApproveFilingSchema, FilingReasonSchema
from parentapp.services.nurseries import filings
from parentapp.services.stats.townships import list_townships

PER_PAGE = 20
KIND_NAMES = {"nursery": "托育机构", "kindergarten_class": "幼儿园托班",
              "employer": "用人单位托育点", "family": "家庭托育点"}
ROLE_NAMES = {"operator": "机构举办者", "regulator": "卫生健康委", "parent": "家长"}
FILING_NO_HINT = "格式如：石卫托备〔2026〕12号（4 到 40 个字符，含数字）。"
# action -> (service, schema, its one field, success message)
ACTIONS = {
    "approve": (filings.approve_filing, ApproveFilingSchema, "filing_no", "备案已通过。"),
    "reject": (filings.reject_filing, FilingReasonSchema, "reason", "备案已退回。"),
    "revoke": (filings.revoke_filing, FilingReasonSchema, "reason", "备案已撤销。"),
}


@bp.route("/filings")
@signed_in("regulator")
def filing_queue():
    status = request.args.get("status", "pending")
    status = status if status in filings.REVIEWABLE else None
    page = max(request.args.get("page", 1, type=int), 1)
    queue = filings.filing_queue(status, None, page, PER_PAGE)
    return render_template("console/filings.html", queue=queue, status=status,
                           statuses=filings.REVIEWABLE, counts=filings.filing_counts(),
                           names=filings.STATUS_NAMES, kinds=KIND_NAMES,
                           townships=_township_names(),
                           operators=_users(n.operator_id for n in queue["items"]))


@bp.route("/filings/<int:nursery_id>")
@signed_in("regulator")
def filing_detail(nursery_id):
    return _detail(filings.get_filing(nursery_id))


@bp.route("/filings/<int:nursery_id>/<action>", methods=["POST"])
@signed_in("regulator")
def filing_decision(nursery_id, action):
    if action not in ACTIONS:
        return redirect(url_for("console.filing_detail", nursery_id=nursery_id))
    service, schema, field, success = ACTIONS[action]
    typed = request.form.get(field, "")
    _, errors = submit(lambda **data: service(nursery_id, data[field], g.console_user.id,
                                              utcnow()), schema(), {field: typed})
    if not errors:
        flash(success, "success")
        return redirect(url_for("console.filing_detail", nursery_id=nursery_id))
    return _detail(filings.get_filing(nursery_id), action=action, errors=errors,
                   values={field: typed}), 422


def _detail(record: filings.FilingRecord, action: str | None = None,
            errors: dict | None = None, values: dict | None = None) -> str:
    return render_template("console/filing.html", record=record, names=filings.STATUS_NAMES,
                           kinds=KIND_NAMES, roles=ROLE_NAMES, townships=_township_names(),
                           action=action, errors=errors or {}, values=values or {},
                           known_filing_no=known_filing_no(record),
                           filing_no_hint=FILING_NO_HINT, label=label, show=_shown)


def known_filing_no(record: filings.FilingRecord) -> str | None:
    """The number this nursery was filed under before (kept when it is re-approved)."""
    if record.nursery.filing_no:
        return record.nursery.filing_no
    approved = [e.filing_no for e in record.events if e.to_status == "approved" and e.filing_no]
    return approved[-1] if approved else None


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _township_names() -> dict[str, str]:
    return {t.code: t.name for t in list_townships()}


def _users(ids) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(wanted)))}
