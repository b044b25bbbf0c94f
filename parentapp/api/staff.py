"""A nursery's staff, who is on duty, and the carer ratio (operators, own nurseries)."""

from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import EmptySchema
from parentapp.schemas.staff import (
    RatioQuerySchema,
    RatioSchema,
    StaffChangeSchema,
    StaffHireSchema,
    StaffListSchema,
    StaffSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.staff import duty, employment, ratio

blp = Blueprint("staff", __name__, url_prefix="/api/v1/operator", description="Staff")


@blp.route("/nurseries/<int:nursery_id>/staff", methods=["POST"])
@answers("staff_already_employed")
@auth_required("operator")
@blp.arguments(StaffHireSchema)
@blp.response(201, StaffSchema)
def hire(body, nursery_id):
    """A phone active at any nursery (this one or another) is 409 staff_already_employed."""
    return employment.hire_staff(current_user().id, nursery_id, now=utcnow(), **body)


@blp.route("/nurseries/<int:nursery_id>/staff")
@auth_required("operator")
@blp.response(200, StaffListSchema)
def staff_list(nursery_id):
    """Everyone who works or worked here, those still working first."""
    return {"items": employment.list_staff(current_user().id, nursery_id)}


@blp.route("/staff/<int:staff_id>", methods=["PATCH"])
@answers("staff_already_employed", "staff_left")
@auth_required("operator")
@blp.arguments(StaffChangeSchema)
@blp.response(200, StaffSchema)
def change(body, staff_id):
    return employment.change_staff(current_user().id, staff_id, body, utcnow())


@blp.route("/staff/<int:staff_id>", methods=["DELETE"])
@answers("staff_left")
@auth_required("operator")
@blp.response(200, StaffSchema)
def leave(staff_id):
    """The person leaves: kept as history (``active`` false), off duty, phone free."""
    return employment.staff_leaves(current_user().id, staff_id, utcnow())


@blp.route("/staff/<int:staff_id>/check-in", methods=["POST"])
@answers("staff_on_duty", "staff_left")
@auth_required("operator")
@blp.arguments(EmptySchema(), required=False)
@blp.response(200, StaffSchema)
def check_in(_body, staff_id):
    return duty.check_in_staff(current_user().id, staff_id, utcnow())


@blp.route("/staff/<int:staff_id>/check-out", methods=["POST"])
@answers("staff_not_on_duty")
@auth_required("operator")
@blp.arguments(EmptySchema(), required=False)
@blp.response(200, StaffSchema)
def check_out(_body, staff_id):
    return duty.check_out_staff(current_user().id, staff_id, utcnow())


@blp.route("/nurseries/<int:nursery_id>/ratio")
@auth_required("operator")
@blp.arguments(RatioQuerySchema, location="query")
@blp.response(200, RatioSchema)
def nursery_ratio(query, nursery_id):
    """Children checked in at ``at`` by age band, carers on duty, carers required."""
    return ratio.nursery_ratio(current_user().id, nursery_id, query.get("at") or utcnow())
