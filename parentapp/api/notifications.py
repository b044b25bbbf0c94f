"""The in-app inbox, for every role."""

from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.notifications import NotificationQuerySchema, NotificationSchema
from parentapp.security import auth_required, current_user
from parentapp.services.reminders import inbox

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/me/notifications",
                description="In-app notifications")


@blp.route("")
@auth_required()
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, page_of(NotificationSchema))
def list_notifications(query):
    return inbox.inbox(current_user().id, now=utcnow(), unread_only=query["unread"],
                       page=query["page"],
                               per_page=query["per_page"])


@blp.route("/<int:notification_id>/read", methods=["POST"])
@auth_required()
@blp.response(204)
def mark_read(notification_id):
    inbox.mark_read(current_user().id, notification_id, utcnow())
