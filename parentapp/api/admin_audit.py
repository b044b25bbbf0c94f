"""The audit log of operator and regulator actions, for regulators."""

from parentapp.api.blueprint import Blueprint
from parentapp.schemas.audit import AuditEntrySchema, AuditQuerySchema
from parentapp.schemas.base import page_of
from parentapp.security import auth_required
from parentapp.services.common import audit

blp = Blueprint("admin_audit", __name__, url_prefix="/api/v1/admin/audit",
                description="Audit log (regulators)")


@blp.route("")
@auth_required("regulator")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
def audit_log(query):
    """Who changed what and when, newest first; ``from``/``to`` are local dates, inclusive."""
    return audit.audit_log(actor_id=query.get("actor"), nursery_id=query.get("nursery_id"),
                           day_from=query.get("date_from"), day_to=query.get("date_to"),
                           page=query["page"], per_page=query["per_page"])
