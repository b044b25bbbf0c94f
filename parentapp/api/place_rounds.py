"""Operators' rounds of monthly places (入托申请) and the regulators' demand view."""

from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.places import (
    DemandQuerySchema,
    DemandSchema,
    RoundCreateSchema,
    RoundDetailSchema,
    RoundListSchema,
    RoundSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.places import demand, rounds

blp = Blueprint("place_rounds", __name__, url_prefix="/api/v1",
                description="Monthly places by application")


@blp.route("/operator/nurseries/<int:nursery_id>/rounds", methods=["POST"])
@answers("invalid_state", "slot_full")
@auth_required("operator")
@blp.arguments(RoundCreateSchema)
@blp.response(201, RoundSchema)
def open_round(body, nursery_id):
    """Holds ``places`` out of every open full-day slot of the month at once (slot_full
    names the slots with fewer left); one round per nursery and month (invalid_state)."""
    return rounds.open_round(current_user().id, nursery_id, now=utcnow(), **body)


@blp.route("/operator/nurseries/<int:nursery_id>/rounds")
@auth_required("operator")
@blp.response(200, RoundListSchema)
def list_rounds(nursery_id):
    return {"items": rounds.list_rounds(current_user().id, nursery_id)}


@blp.route("/operator/nurseries/<int:nursery_id>/rounds/<int:round_id>")
@auth_required("operator")
@blp.response(200, RoundDetailSchema)
def round_detail(nursery_id, round_id):
    """The round with everyone who ranked it: rank, priority, line position, result."""
    return rounds.round_with_applicants(current_user().id, nursery_id, round_id)


@blp.route("/admin/demand")
@auth_required("regulator")
@blp.arguments(DemandQuerySchema, location="query")
@blp.response(200, DemandSchema)
def month_demand(query):
    """Applications, placed and unplaced families by the township they live in; the rounds'
    places by the nursery's township."""
    return demand.demand(query["month"])
