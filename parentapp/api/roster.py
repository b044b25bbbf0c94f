"""A nursery's day: the roster and attendance."""


from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.alerts import HealthCheckBodySchema, HealthCheckSchema, NoShowSchema
from parentapp.schemas.base import page_of
from parentapp.schemas.bookings import (
    AttendanceSchema,
    CheckOutSchema,
    RosterEntrySchema,
    RosterQuerySchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.alerts import checks
from parentapp.services.booking import roster
from parentapp.timeutil import local_today

blp = Blueprint("roster", __name__, url_prefix="/api/v1/operator", description="Roster")


@blp.route("/nurseries/<int:nursery_id>/roster")
@auth_required("operator")
@blp.arguments(RosterQuerySchema, location="query")
@blp.response(200, page_of(RosterEntrySchema))
def day_roster(query, nursery_id):
    """The day's bookings with the child's name, age and care type."""
    return roster.roster(current_user().id, nursery_id,
                         day=query.get("date") or local_today(utcnow()),
                         include_cancelled=query["include_cancelled"], page=query["page"],
                         per_page=query["per_page"])


def _attendance(action: str, body: dict, booking_id: int):
    return roster.mark_attendance(current_user().id, booking_id, action=action,
                                  day=body.get("date"), picked_up_by=body.get("picked_up_by"),
                                  reason=body.get("reason"), symptoms=body.get("symptoms"),
                                  now=utcnow())


@blp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@answers("invalid_state", "attendance_not_today")
@auth_required("operator")
@blp.arguments(AttendanceSchema)
@blp.response(200, RosterEntrySchema)
def check_in(body, booking_id):
    """Only on today's date (Asia/Shanghai): another ``date`` is 409 attendance_not_today
    (details.date, details.today) and nothing changes."""
    return _attendance("check_in", body, booking_id)


@blp.route("/bookings/<int:booking_id>/check-out", methods=["POST"])
@answers("invalid_state", "attendance_not_today", "pickup_not_authorised")
@auth_required("operator")
@blp.arguments(CheckOutSchema)
@blp.response(200, RosterEntrySchema)
def check_out(body, booking_id):
    """Only on today's date, as check-in. When the child has a pickup list,
    ``picked_up_by`` must be a name on it: otherwise (or when missing) 409
    pickup_not_authorised, details.pickup_names, and nothing changes."""
    return _attendance("check_out", body, booking_id)


@blp.route("/bookings/<int:booking_id>/no-show", methods=["POST"])
@answers("invalid_state")
@auth_required("operator")
@blp.arguments(NoShowSchema, required=False)
@blp.response(200, RosterEntrySchema)
def no_show(body, booking_id):
    """Once the booking's slot of that date has started (409 invalid_state before,
    details.starts_at); any date, so a forgotten absence can be marked later. A
    ``reason`` (with ``symptoms``) is kept for the day; ``illness`` may open an
    ``illness_cluster`` alert."""
    return _attendance("no_show", body or {}, booking_id)


@blp.route("/bookings/<int:booking_id>/health-check", methods=["POST"])
@answers("invalid_state")
@auth_required("operator")
@blp.arguments(HealthCheckBodySchema)
@blp.response(201, HealthCheckSchema)
@blp.alt_response(200, schema=HealthCheckSchema, description="today's check replaced")
def health_check(body, booking_id):
    """Today's morning check (晨检) of the booking's child: 201 the first of the day, 200
    when it replaces the day's earlier one. 409 invalid_state when the booking has no
    active slot today. ``sent_home`` may open an ``illness_cluster`` alert."""
    recorded = checks.record_health_check(current_user().id, booking_id, now=utcnow(), **body)
    return recorded, 201 if recorded.created else 200
