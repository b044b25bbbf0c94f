"""Waitlists: join a full slot, leave, list, accept an offer."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.bookings import BookingSchema
from parentapp.schemas.waitlist import (
    WaitlistEntrySchema,
    WaitlistJoinedSchema,
    WaitlistJoinSchema,
    WaitlistQuerySchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.booking import waitlist

blp = Blueprint("waitlist", __name__, url_prefix="/api/v1", description="Waitlists")


@blp.route("/slots/<int:slot_id>/waitlist", methods=["POST"])
@answers("slot_not_full", "slot_closed", "already_booked", "invalid_state", "age_ineligible",
         "booking_window_closed", "limit_reached")
@auth_required("parent")
@blp.arguments(WaitlistJoinSchema)
@blp.response(201, WaitlistJoinedSchema)
def join_waitlist(body, slot_id):
    """Only a full slot has a waitlist (slot_not_full otherwise)."""
    return waitlist.join_waitlist(current_user().id, slot_id, body["child_id"], utcnow(),
                                  offer_minutes=service_settings.offer_minutes(),
                                  waitlist_per_child=service_settings.limit("waitlist_per_child"))


@blp.route("/waitlist/<int:entry_id>", methods=["DELETE"])
@answers("invalid_state")
@auth_required("parent")
@blp.response(204)
def leave_waitlist(entry_id):
    waitlist.leave_waitlist(current_user().id, entry_id, utcnow(),
                            offer_minutes=service_settings.offer_minutes())


@blp.route("/me/waitlist")
@answers("not_found")
@auth_required("parent")
@blp.arguments(WaitlistQuerySchema, location="query")
@blp.response(200, page_of(WaitlistEntrySchema))
def my_waitlist(query):
    """The entries of all your children, newest first; ``child_id`` keeps one child's
    (404 when it is not one of yours)."""
    return waitlist.my_waitlist(current_user().id, utcnow(), query["page"], query["per_page"],
                                offer_minutes=service_settings.offer_minutes(),
                                child_id=query.get("child_id"))


@blp.route("/waitlist/<int:entry_id>/accept", methods=["POST"])
@answers("invalid_state", "slot_closed", "already_booked", "age_ineligible",
         "booking_window_closed", "limit_reached")
@auth_required("parent")
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema, description="accepted before: the same booking")
def accept_offer(entry_id):
    """Book the offered place under the rules of POST /bookings."""
    accepted, created = waitlist.accept_offer(
        current_user().id, entry_id, utcnow(), offer_minutes=service_settings.offer_minutes(),
        future_slots_per_child=service_settings.limit("future_slots_per_child"))
    return accepted, 201 if created else 200
