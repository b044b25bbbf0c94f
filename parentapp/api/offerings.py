"""Operators set what each care type costs and whom it takes."""

from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas.offerings import OfferingListSchema, OfferingPutSchema, OfferingSchema
from parentapp.security import auth_required, current_user
from parentapp.services.nurseries import offerings

blp = Blueprint("offerings", __name__, url_prefix="/api/v1/operator/nurseries",
                description="Care offerings (operators)")

@blp.route("/<int:nursery_id>/offerings/<care_type>", methods=["PUT"])
@auth_required("operator")
@blp.arguments(OfferingPutSchema)
@blp.response(200, OfferingSchema)
def put_offering(body, nursery_id, care_type):
    """care_type: full_day, half_day, hourly or temporary (anything else is not found)."""
    return offerings.put_offering(current_user().id, nursery_id, care_type, fields=body,
                                  now=utcnow())


@blp.route("/<int:nursery_id>/offerings")
@auth_required("operator")
@blp.response(200, OfferingListSchema)
def list_offerings(nursery_id):
    return {"items": offerings.own_offerings(current_user().id, nursery_id)}
