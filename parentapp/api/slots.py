"""Slot listings for parents (and the owning operator)."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.caching import NOT_MODIFIED_DOC, json_response, public_cache
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.slots import SlotListSchema, SlotQuerySchema, slot_item
from parentapp.security import viewer_id
from parentapp.services.nurseries import slots

blp = Blueprint("slots", __name__, url_prefix="/api/v1/nurseries", description="Slots")


@blp.route("/<int:nursery_id>/slots")
@public_cache(max_age=5)  # places change with every booking: seconds, not minutes
@answers("unauthorized")
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotListSchema)
@blp.alt_response(304, description=NOT_MODIFIED_DOC)
def list_slots(query, nursery_id):
    """A nursery's slots with places left; no login needed (max 62 days).

    Answers with an ETag and ``Cache-Control: public, max-age=5`` (``private, no-cache``
    when a token is sent); ``If-None-Match`` with the current ETag gets a 304.
    """
    listed = slots.list_slot_rows(nursery_id, day_from=query.get("from_"), day_to=query.get("to"),
                                  care_type=query.get("care_type"), now=utcnow(),
                                  viewer_id=viewer_id(),
                                  offer_minutes=service_settings.offer_minutes())
    # The documented SlotListSchema, dumped by hand (same JSON): see schemas.slots.slot_item.
    return json_response({"items": [slot_item(*entry) for entry in listed]})
