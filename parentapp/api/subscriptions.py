"""A parent's one-time WeChat subscription grants."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas.subscriptions import SubscriptionGrantsSchema, SubscriptionResultsSchema
from parentapp.security import auth_required, current_user
from parentapp.services.reminders import subscriptions

blp = Blueprint("subscriptions", __name__, url_prefix="/api/v1/me/subscriptions",
                description="WeChat subscription grants")


@blp.route("")
@auth_required("parent")
@blp.response(200, SubscriptionGrantsSchema)
def get_grants():
    return {"grants": subscriptions.grants_of(current_user().id,
                                              templates=service_settings.wechat_templates())}


@blp.route("", methods=["POST"])
@auth_required("parent")
@blp.arguments(SubscriptionResultsSchema)
@blp.response(200, SubscriptionGrantsSchema)
def record_results(body):
    return {"grants": subscriptions.record_results(
        current_user().id, body["results"], utcnow(),
        templates=service_settings.wechat_templates())}
