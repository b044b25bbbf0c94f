"""A family's bookings: book (with an Idempotency-Key), list, read, cancel."""

from flask import current_app, request

from parentapp import rate_limits, service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.errors import IdempotencyKeyRequired, ValidationFailed
from parentapp.models import utcnow
from parentapp.schemas.base import ErrorSchema, page_of
from parentapp.schemas.bookings import (
    BookingCancelSchema,
    BookingCreateSchema,
    BookingQuerySchema,
    BookingSchema,
    new_booking_item,
)
from parentapp.security import auth_required, current_user
from parentapp.services.booking import bookings, cancellation
from parentapp.services.common import idempotency

blp = Blueprint("bookings", __name__, url_prefix="/api/v1/bookings", description="Bookings")

IDEMPOTENCY_HEADER = {"in": "header", "name": "Idempotency-Key", "required": True,
                      "schema": {"type": "string", "maxLength": 100},
                      "description": "a fresh UUID per booking; a repeat gets the first answer"}


def idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise IdempotencyKeyRequired()
    if len(key) > 100:
        raise ValidationFailed.on("Idempotency-Key", "长度不能超过 100 个字符。")
    if not key.isascii() or not key.isprintable():  # headers arrive as latin-1: any byte
        raise ValidationFailed.on("Idempotency-Key", "只能包含可见的 ASCII 字符。")
    return key


@blp.route("", methods=["POST"])
@answers("not_found", "idempotency_key_required", "slot_full", "slot_closed", "already_booked",
         "request_in_progress", "limit_reached", "age_ineligible", "booking_window_closed",
         "slots_not_bookable_together", "idempotency_key_reused", "rate_limited")
@auth_required("parent")
@blp.arguments(BookingCreateSchema)
@blp.response(201, BookingSchema)
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
@blp.alt_response(429, schema=ErrorSchema, description=(
    "rate_limited: details.limit bookings_per_minute; Retry-After in seconds; never stored "
    "as the key's answer"))
def create_booking(body):
    """Book slots: all or none. Repeats of the same key and body replay the first answer.

    429 rate_limited (``bookings_per_minute``) is answered before the key is claimed, so it
    is never stored: a retry with the same key after the wait books normally.
    """
    key = idempotency_key()
    rate_limits.hit("bookings_per_minute", current_user().id)
    print_ = idempotency.fingerprint("POST", request.path, request.get_json(silent=True))
    answer = bookings.book_once(
        current_user().id, key=key, print_=print_, child_id=body["child_id"],
        slot_ids=body["slot_ids"], note=body.get("note"), now=utcnow(),
        render=new_booking_item, offer_minutes=service_settings.offer_minutes(),
        future_slots_per_child=service_settings.limit("future_slots_per_child"))
    response = current_app.json.response(answer.body)
    response.status_code = answer.status
    return response


@blp.route("")
@answers("not_found")
@auth_required("parent")
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, page_of(BookingSchema))
def list_bookings(query):
    """The bookings of all your children (each with ``booked_by``), newest first;
    ``child_id`` keeps one child's (404 when it is not one of yours)."""
    return bookings.list_bookings(current_user().id, status=query.get("status"),
                                  day_from=query.get("from_"), day_to=query.get("to"),
                                  child_id=query.get("child_id"),
                                  page=query["page"], per_page=query["per_page"])


@blp.route("/<int:booking_id>")
@auth_required("parent")
@blp.response(200, BookingSchema)
def get_booking(booking_id):
    return bookings.get_booking(current_user().id, booking_id)


@blp.route("/<int:booking_id>/cancel", methods=["POST"])
@answers("invalid_state", "cancel_window_closed")
@auth_required("parent")
@blp.arguments(BookingCancelSchema)
@blp.response(200, BookingSchema)
def cancel_booking(body, booking_id):
    """Cancel the named slots (default: all still booked), each before its cut-off."""
    return cancellation.cancel_booking(current_user().id, booking_id, body.get("slot_ids"),
                                       utcnow(), offer_minutes=service_settings.offer_minutes())
