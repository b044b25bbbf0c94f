"""A child's vaccination and checkup plan, and what the parent recorded."""

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.caching import json_response, no_store
from parentapp.models import utcnow
from parentapp.schemas.health import (
    HealthPlanSchema,
    HealthRecordSchema,
    RecordedSchema,
    plan_item,
)
from parentapp.security import auth_required, current_user
from parentapp.services.common.transactions import reads_only
from parentapp.services.health import records

blp = Blueprint("health_plan", __name__, url_prefix="/api/v1/children",
                description="Vaccination and checkup plan")


@blp.route("/<int:child_id>/health-plan")
@no_store  # one child's health data: no cache keeps a copy
@reads_only()
@auth_required("parent")
@blp.response(200, HealthPlanSchema)
def health_plan(child_id):
    """The plan as of today; ``Cache-Control: private, no-store``."""
    schedule, items = records.health_plan(current_user().id, child_id, utcnow(),
                                         schedule=service_settings.health_schedule())
    # The documented HealthPlanSchema, dumped by hand (same JSON): see plan_item.
    return json_response({"schedule_version": schedule.version,
                          "items": [plan_item(item) for item in items]})


@blp.route("/<int:child_id>/health-records", methods=["POST"])
@auth_required("parent")
@blp.arguments(HealthRecordSchema)
@blp.response(201, RecordedSchema)
@blp.alt_response(200, schema=RecordedSchema, description="recorded again: a code's date "
                  "replaced, or the same product on the same day (nothing changes)")
def record_item(body, child_id):
    record, created = records.record_item(
        current_user().id, child_id, code=body.get("code"), product=body.get("product"),
        done_on=body["done_on"], now=utcnow(), schedule=service_settings.health_schedule())
    return record, 201 if created else 200


@blp.route("/<int:child_id>/health-records/<code>", methods=["DELETE"])
@auth_required("parent")
@blp.response(204)
def delete_record(child_id, code):
    records.delete_record(current_user().id, child_id, code)
