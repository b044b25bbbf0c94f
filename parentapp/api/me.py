"""The signed-in account: profile, phone number, deletion."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.accounts import MeSchema, MeUpdateSchema, PhoneCodeSchema, PhoneResultSchema
from parentapp.security import auth_required, current_user
from parentapp.services.accounts import users

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in account")


@blp.route("")
@auth_required()
@blp.response(200, MeSchema)
def get_me():
    return current_user()


@blp.route("", methods=["PATCH"])
@auth_required("parent")
@blp.arguments(MeUpdateSchema)
@blp.response(200, MeSchema)
def update_me(changes):
    return users.update_profile(current_user().id, changes)


@blp.route("", methods=["DELETE"])
@auth_required("parent")
@blp.response(204)
def delete_me():
    users.delete_account(current_user().id, utcnow(),
                         offer_minutes=service_settings.offer_minutes())


@blp.route("/phone", methods=["POST"])
@answers("invalid_phone_code", "wechat_unavailable")
@auth_required("parent")
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneResultSchema)
def bind_phone(body):
    return {"phone": users.bind_phone(current_user().id, body["code"])}
