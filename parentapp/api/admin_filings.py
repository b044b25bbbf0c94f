"""The county health commission reviews filings: queue, decisions, audit trail."""


from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.filings import (
    ApproveFilingSchema,
    FilingDetailSchema,
    FilingItemSchema,
    FilingQuerySchema,
    FilingReasonSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.nurseries import filings

blp = Blueprint("admin_filings", __name__, url_prefix="/api/v1/admin/filings",
                description="Filing review (regulators)")


@blp.route("")
@auth_required("regulator")
@blp.arguments(FilingQuerySchema, location="query")
@blp.response(200, page_of(FilingItemSchema))
def filing_queue(query):
    """Filings, oldest submission first; ``?status=pending`` is the work queue."""
    return filings.filing_queue(query.get("status"), query.get("township"),
                                query["page"], query["per_page"])


@blp.route("/<int:nursery_id>")
@auth_required("regulator")
@blp.response(200, FilingDetailSchema)
def get_filing(nursery_id):
    """The nursery's facts, its operator and the audit trail of every transition."""
    return filings.get_filing(nursery_id)


@blp.route("/<int:nursery_id>/approve", methods=["POST"])
@answers("invalid_state")
@auth_required("regulator")
@blp.arguments(ApproveFilingSchema)
@blp.response(200, FilingDetailSchema)
def approve_filing(body, nursery_id):
    """``pending`` -> ``approved``: visible to parents from now on."""
    return filings.approve_filing(nursery_id, body["filing_no"], current_user().id, utcnow())


@blp.route("/<int:nursery_id>/reject", methods=["POST"])
@answers("invalid_state")
@auth_required("regulator")
@blp.arguments(FilingReasonSchema)
@blp.response(200, FilingDetailSchema)
def reject_filing(body, nursery_id):
    """``pending`` -> ``rejected``; the operator may correct and resubmit."""
    return filings.reject_filing(nursery_id, body["reason"], current_user().id, utcnow())


@blp.route("/<int:nursery_id>/revoke", methods=["POST"])
@answers("invalid_state")
@auth_required("regulator")
@blp.arguments(FilingReasonSchema)
@blp.response(200, FilingDetailSchema)
def revoke_filing(body, nursery_id):
    """``approved`` -> ``revoked``: hidden from parents, future bookings cancelled."""
    return filings.revoke_filing(nursery_id, body["reason"], current_user().id, utcnow())
