"""A child's people (家人共管): invitations by code, accepting one, roles, leaving."""

from parentapp import rate_limits, service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import ErrorSchema
from parentapp.schemas.children import ChildSchema
from parentapp.schemas.family import (
    CarerListSchema,
    CarerSchema,
    CarerUpdateSchema,
    InviteAcceptSchema,
    InviteCreateSchema,
    InviteListSchema,
    InviteSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.family import invites, people

blp = Blueprint("carers", __name__, url_prefix="/api/v1", description=(
    "A child's people: guardian (everything), carer (see, book, cancel, waitlists, classes, "
    "health records), viewer (see only). Guardians invite by an 8-character code that works "
    "once for 48 hours. At most 6 people and 2 guardians per child."))


@blp.route("/children/<int:child_id>/invites", methods=["POST"])
@auth_required("parent")
@blp.arguments(InviteCreateSchema)
@blp.response(201, InviteSchema)
def create_invite(body, child_id):
    """Guardians only. Open invites do not count towards the limits; accepting does."""
    return invites.create_invite(current_user().id, child_id, now=utcnow(), **body)


@blp.route("/children/<int:child_id>/invites")
@auth_required("parent")
@blp.response(200, InviteListSchema)
def list_invites(child_id):
    """The child's open invites (guardians only)."""
    return {"items": invites.open_invites(current_user().id, child_id, utcnow())}


@blp.route("/children/<int:child_id>/invites/<int:invite_id>", methods=["DELETE"])
@auth_required("parent")
@blp.response(204)
def withdraw_invite(child_id, invite_id):
    """Guardians only; an invite already used, withdrawn or expired is 404."""
    invites.withdraw_invite(current_user().id, child_id, invite_id, utcnow())


@blp.route("/invites/accept", methods=["POST"])
@answers("invite_not_found", "already_a_carer", "limit_reached", "rate_limited")
@auth_required("parent")
@blp.arguments(InviteAcceptSchema)
@blp.response(200, ChildSchema)
@blp.alt_response(429, schema=ErrorSchema, description=(
    "rate_limited: details.limit invite_attempts (per user); Retry-After in seconds"))
def accept_invite(body):
    """Become one of the child's people; answers the child as you now see it. 409
    limit_reached names people_per_child, guardians_per_child or children_per_guardian."""
    rate_limits.hit("invite_attempts", current_user().id)
    return invites.accept_invite(
        current_user().id, body["code"], reminders=body.get("reminders"), now=utcnow(),
        **{name: service_settings.limit(name) for name in (
            "people_per_child", "guardians_per_child", "children_per_guardian")})


@blp.route("/children/<int:child_id>/carers")
@auth_required("parent")
@blp.response(200, CarerListSchema)
def list_carers(child_id):
    """Every person of the child, in the order they joined (any of them may look)."""
    return {"items": people.list_people(current_user().id, child_id)}


def _update(child_id, user_id, changes):
    return people.update_person(
        current_user().id, child_id, user_id, changes, utcnow(),
        guardians_per_child=service_settings.limit("guardians_per_child"),
        children_per_guardian=service_settings.limit("children_per_guardian"))


@blp.route("/children/<int:child_id>/carers/<int:user_id>", methods=["PATCH"])
@answers("last_guardian", "limit_reached")
@auth_required("parent")
@blp.arguments(CarerUpdateSchema)
@blp.response(200, CarerSchema)
def update_carer(changes, child_id, user_id):
    """``role`` and ``relation``: guardians only. ``reminders``: each person for themself
    (403 for anyone else's). The last guardian cannot be demoted (409 last_guardian)."""
    return _update(child_id, user_id, changes)


@blp.route("/children/<int:child_id>/carers/me", methods=["PATCH"])
@answers("last_guardian", "limit_reached")
@auth_required("parent")
@blp.arguments(CarerUpdateSchema)
@blp.response(200, CarerSchema)
def update_my_link(changes, child_id):
    """The caller's own link: ``reminders`` for anyone, ``role``/``relation`` for guardians."""
    return _update(child_id, current_user().id, changes)


@blp.route("/children/<int:child_id>/carers/<int:user_id>", methods=["DELETE"])
@answers("last_guardian")
@auth_required("parent")
@blp.response(204)
def remove_carer(child_id, user_id):
    """A guardian removes anyone; anyone removes themself. Their access ends at once; the
    child's bookings stay. The last guardian cannot leave a child that has other people."""
    people.remove_person(current_user().id, child_id, user_id, utcnow(),
                         offer_minutes=service_settings.offer_minutes())


@blp.route("/children/<int:child_id>/carers/me", methods=["DELETE"])
@answers("last_guardian")
@auth_required("parent")
@blp.response(204)
def leave_child(child_id):
    """Leave the child. A sole person leaving deletes the child, as DELETE /children/{id}."""
    people.remove_person(current_user().id, child_id, current_user().id, utcnow(),
                         offer_minutes=service_settings.offer_minutes())
