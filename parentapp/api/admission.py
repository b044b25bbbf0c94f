"""What a nursery may know of a booked child's health: vaccinations up to date or not."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema
from parentapp.security import auth_required, current_user
from parentapp.services.health import admission

blp = Blueprint("admission", __name__, url_prefix="/api/v1/operator/bookings",
                description="Admission health check (operators)")


class HealthSummarySchema(BaseSchema):
    booking_id = fields.Integer(required=True)
    child_id = fields.Integer(required=True)
    vaccinations_up_to_date = fields.Boolean(required=True)
    missing_vaccines = fields.List(fields.String(), required=True,
                                   metadata={"description": "vaccine codes only"})
    checked_on = fields.Date(required=True)
    grace_days = fields.Integer(required=True)
    schedule_version = fields.String(required=True)


@blp.route("/<int:booking_id>/health-summary")
@auth_required("operator")
@blp.response(200, HealthSummarySchema)
def health_summary(booking_id):
    return admission.health_summary(current_user().id, booking_id, utcnow(),
                                    schedule=service_settings.health_schedule())
