"""Nursery health and staffing alerts: operators see their nurseries', regulators all."""

from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.alerts import AlertCloseSchema, AlertQuerySchema, AlertSchema
from parentapp.schemas.base import page_of
from parentapp.security import auth_required, current_user
from parentapp.services.alerts import listing

blp = Blueprint("alerts", __name__, url_prefix="/api/v1/operator/alerts",
                description="Alerts (operators)")
ALERT_PAGE = page_of(AlertSchema)
admin_blp = Blueprint("admin_alerts", __name__, url_prefix="/api/v1/admin/alerts",
                      description="Alerts (regulators)")


@blp.route("")
@auth_required("operator")
@blp.arguments(AlertQuerySchema, location="query")
@blp.response(200, ALERT_PAGE)
def operator_alerts(query):
    """The alerts of the operator's nurseries, newest first."""
    return listing.operator_alerts(current_user().id, **query)


@admin_blp.route("")
@auth_required("regulator")
@admin_blp.arguments(AlertQuerySchema, location="query")
@admin_blp.response(200, ALERT_PAGE)
def county_alerts(query):
    """Every nursery's alerts, newest first."""
    return listing.county_alerts(**query)


@admin_blp.route("/<int:alert_id>/close", methods=["POST"])
@answers("alert_closed")
@auth_required("regulator")
@admin_blp.arguments(AlertCloseSchema)
@admin_blp.response(200, AlertSchema)
def close(body, alert_id):
    """Closed once: a closed alert is 409 alert_closed (details.closed_at)."""
    return listing.close_alert(current_user().id, alert_id, body["note"], utcnow())
