"""Operators generate slots and change their capacity and status."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.slots import (
    SlotBatchResultSchema,
    SlotBatchSchema,
    SlotChangeSchema,
    SlotGenerateResultSchema,
    SlotGenerateSchema,
    SlotItemSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.nurseries import slot_changes, slots

blp = Blueprint("operator_slots", __name__, url_prefix="/api/v1/operator",
                description="Slots (operators)")


@blp.route("/nurseries/<int:nursery_id>/slots", methods=["POST"])
@answers("capacity_exceeds_licensed_places")
@auth_required("operator")
@blp.arguments(SlotGenerateSchema)
@blp.response(201, SlotGenerateResultSchema)
def generate_slots(body, nursery_id):
    """Create a date range's slots (at most 62 days), skipping those that exist."""
    return slots.generate_slots(
        current_user().id, nursery_id, care_type=body["care_type"], day_from=body["from_"],
        day_to=body["to"], weekdays=body["weekdays"], capacity=body["capacity"],
        parts=body.get("parts"), now=utcnow())


@blp.route("/slots/<int:slot_id>", methods=["PATCH"])
@answers("invalid_state", "capacity_below_booked", "capacity_exceeds_licensed_places")
@auth_required("operator")
@blp.arguments(SlotChangeSchema)
@blp.response(200, SlotItemSchema)
def change_slot(body, slot_id):
    return slot_changes.change_slot(current_user().id, slot_id, body, utcnow(),
                                    offer_minutes=service_settings.offer_minutes())


@blp.route("/nurseries/<int:nursery_id>/slots", methods=["PATCH"])
@answers("invalid_state", "capacity_below_booked", "capacity_exceeds_licensed_places")
@auth_required("operator")
@blp.arguments(SlotBatchSchema)
@blp.response(200, SlotBatchResultSchema)
def change_slots(body, nursery_id):
    """Apply every change or none."""
    return {"items": slot_changes.change_slots(current_user().id, nursery_id, body["changes"],
                                               utcnow(),
                                               offer_minutes=service_settings.offer_minutes())}
