"""Families' applications for a month's full-day place (入托申请), and their offers."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import EmptySchema
from parentapp.schemas.bookings import BookingSchema
from parentapp.schemas.places import (
    ApplicationChangeSchema,
    ApplicationCreateSchema,
    ApplicationListSchema,
    ApplicationSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.places import applications, offers

blp = Blueprint("applications", __name__, url_prefix="/api/v1/applications",
                description="Monthly places by application")


@blp.route("", methods=["POST"])
@answers("invalid_state", "age_ineligible")
@auth_required("parent")
@blp.arguments(ApplicationCreateSchema)
@blp.response(201, ApplicationSchema)
def apply(body):
    """1 to 3 nurseries in order of preference, each with an open round for the month; one
    application per child and month (a second is 409 invalid_state). Guardians and carers."""
    return applications.apply(current_user().id, now=utcnow(), **body)


@blp.route("")
@auth_required("parent")
@blp.response(200, ApplicationListSchema)
def my_applications():
    """The applications of all your children, latest month first."""
    return {"items": applications.list_applications(current_user().id)}


@blp.route("/<int:application_id>")
@auth_required("parent")
@blp.response(200, ApplicationSchema)
def one(application_id):
    return applications.get_application(current_user().id, application_id)


@blp.route("/<int:application_id>", methods=["PATCH"])
@answers("invalid_state", "age_ineligible")
@auth_required("parent")
@blp.arguments(ApplicationChangeSchema)
@blp.response(200, ApplicationSchema)
def change(body, application_id):
    """New choices, until the first of its choices' rounds closes."""
    return applications.change(current_user().id, application_id, body["choices"], utcnow())


@blp.route("/<int:application_id>", methods=["DELETE"])
@answers("invalid_state")
@auth_required("parent")
@blp.response(204)
def withdraw(application_id):
    """Withdraw, until the first of its choices' rounds closes."""
    applications.withdraw(current_user().id, application_id, utcnow())


@blp.route("/<int:application_id>/accept", methods=["POST"])
@answers("invalid_state", "already_booked", "age_ineligible", "limit_reached", "slot_full")
@auth_required("parent")
@blp.arguments(EmptySchema(), required=False)
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema, description="accepted before: the same booking")
def accept(_body, application_id):
    """Book every full-day slot of the month still to come, in one booking, all or none."""
    booking, created = offers.accept_offer(
        current_user().id, application_id, utcnow(),
        future_slots_per_child=service_settings.limit("future_slots_per_child"))
    return booking, 201 if created else 200


@blp.route("/<int:application_id>/decline", methods=["POST"])
@answers("invalid_state")
@auth_required("parent")
@blp.arguments(EmptySchema(), required=False)
@blp.response(200, ApplicationSchema)
def decline(_body, application_id):
    """Give the place up: it goes to the next family in line."""
    application = offers.decline_offer(current_user().id, application_id, utcnow(),
                                       offer_minutes=service_settings.offer_minutes())
    return applications.with_rounds([application])[0]


