"""A child's pickup list: who may collect the child from the nursery."""

from parentapp.api.blueprint import Blueprint
from parentapp.schemas.pickup import PickupListSchema
from parentapp.security import auth_required, current_user
from parentapp.services.family import pickup

blp = Blueprint("pickup", __name__, url_prefix="/api/v1/children",
                description="Pickup list (接送名单)")


@blp.route("/<int:child_id>/pickup")
@auth_required("parent")
@blp.response(200, PickupListSchema)
def get_pickup_list(child_id):
    """For the child's guardians and carers (phones in full); a viewer gets 403."""
    return pickup.pickup_list(current_user().id, child_id)


@blp.route("/<int:child_id>/pickup", methods=["PUT"])
@auth_required("parent")
@blp.arguments(PickupListSchema)
@blp.response(200, PickupListSchema)
def set_pickup_list(body, child_id):
    """Guardians replace the whole list (at most 6, distinct names, in order)."""
    return pickup.set_pickup_list(current_user().id, child_id, body["people"])
