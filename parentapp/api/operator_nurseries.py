"""Operators register their nurseries and submit them for filing."""


from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import EmptySchema, PageQuerySchema, page_of
from parentapp.schemas.nurseries import NurseryCreateSchema, NurseryUpdateSchema
from parentapp.schemas.operator_nurseries import (
    FilingSubmittedSchema,
    OperatorNurseryDetailSchema,
    OperatorNurserySchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.nurseries import operator_nurseries

blp = Blueprint("operator_nurseries", __name__, url_prefix="/api/v1/operator/nurseries",
                description="Operators' nurseries and filings")


@blp.route("")
@auth_required("operator")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(OperatorNurserySchema))
def list_own_nurseries(query):
    return operator_nurseries.list_own_nurseries(current_user().id, query["page"],
                                                 query["per_page"])


@blp.route("", methods=["POST"])
@auth_required("operator")
@blp.arguments(NurseryCreateSchema)
@blp.response(201, OperatorNurseryDetailSchema)
def create_nursery(body):
    """A new nursery in status ``draft``."""
    return operator_nurseries.create_nursery(current_user().id, body, utcnow())


@blp.route("/<int:nursery_id>")
@auth_required("operator")
@blp.response(200, OperatorNurseryDetailSchema)
def get_own_nursery(nursery_id):
    return operator_nurseries.get_own_nursery(current_user().id, nursery_id)


@blp.route("/<int:nursery_id>", methods=["PATCH"])
@answers("invalid_state")
@auth_required("operator")
@blp.arguments(NurseryUpdateSchema)
@blp.response(200, OperatorNurseryDetailSchema)
def update_nursery(changes, nursery_id):
    """Changing a registration fact of an approved nursery sends it back to ``pending``."""
    return operator_nurseries.update_nursery(current_user().id, nursery_id, changes, utcnow())


@blp.route("/<int:nursery_id>/filing", methods=["POST"])
@answers("invalid_state")
@auth_required("operator")
@blp.arguments(EmptySchema, required=False)
@blp.response(200, FilingSubmittedSchema)
def submit_filing(_body, nursery_id):
    """Submit (or resubmit) for filing: ``draft`` or ``rejected`` -> ``pending``."""
    nursery = operator_nurseries.submit_filing(current_user().id, nursery_id, utcnow())
    return {"status": nursery.filing_status}
