"""Slot listings for parents (and the owning operator)."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.slots import SlotListSchema, SlotQuerySchema
from parentapp.security import viewer_id
from parentapp.services.nurseries import slots

blp = Blueprint("slots", __name__, url_prefix="/api/v1/nurseries", description="Slots")


@blp.route("/<int:nursery_id>/slots")
@answers("unauthorized")
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotListSchema)
def list_slots(query, nursery_id):
    """A nursery's slots with places left; no login needed (max 62 days)."""
    items = slots.list_slots(nursery_id, day_from=query.get("from_"), day_to=query.get("to"),
                             care_type=query.get("care_type"), now=utcnow(), viewer_id=viewer_id(),
                             offer_minutes=service_settings.offer_minutes())
    return {"items": items}
