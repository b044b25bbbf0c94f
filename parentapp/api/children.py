"""A parent's children."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import ErrorSchema, PageQuerySchema, page_of
from parentapp.schemas.children import ChildSchema, ChildUpdateSchema
from parentapp.security import auth_required, current_user
from parentapp.services.accounts import children

blp = Blueprint("children", __name__, url_prefix="/api/v1/children", description="Children")


@blp.route("")
@auth_required("parent")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, page_of(ChildSchema))
def list_children(query):
    return children.list_children(current_user().id, query["page"], query["per_page"])


@blp.route("", methods=["POST"])
@answers("limit_reached")
@auth_required("parent")
@blp.arguments(ChildSchema)
@blp.response(201, ChildSchema)
def add_child(body):
    return children.add_child(
        current_user().id, now=utcnow(),
        children_per_guardian=service_settings.limit("children_per_guardian"), **body)


@blp.route("/<int:child_id>")
@auth_required("parent")
@blp.response(200, ChildSchema)
def get_child(child_id):
    return children.get_child(current_user().id, child_id)


@blp.route("/<int:child_id>", methods=["PATCH"])
@answers("invalid_state")
@auth_required("parent")
@blp.arguments(ChildUpdateSchema)
@blp.response(200, ChildSchema)
@blp.alt_response(409, schema=ErrorSchema, description=(
    "invalid_state: the new birth_date comes after a recorded dose or checkup, or leaves a "
    "confirmed booking outside its offering's ages; details: field, health_records (codes), "
    "booking_ids. Nothing changes."))
def update_child(changes, child_id):
    """A new ``birth_date`` that would put a health record before birth or leave a
    confirmed booking outside its offering's ages is a 409 invalid_state naming them."""
    return children.update_child(current_user().id, child_id, changes, utcnow())


@blp.route("/<int:child_id>", methods=["DELETE"])
@auth_required("parent")
@blp.response(204)
def delete_child(child_id):
    children.delete_child(current_user().id, child_id, utcnow(),
                          offer_minutes=service_settings.offer_minutes())
