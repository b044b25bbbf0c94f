"""Regulators: how notification delivery is going."""

from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas.notification_stats import (
    NotificationStatsQuerySchema,
    NotificationStatsSchema,
)
from parentapp.security import auth_required
from parentapp.services.stats.delivery import notification_stats

blp = Blueprint("admin_notifications", __name__, url_prefix="/api/v1/admin/notifications",
                description="Notification delivery (regulators)")


@blp.route("/stats")
@auth_required("regulator")
@blp.arguments(NotificationStatsQuerySchema, location="query")
@blp.response(200, NotificationStatsSchema)
def stats(query):
    return notification_stats(query["days"], utcnow(), query["page"], query["per_page"])
