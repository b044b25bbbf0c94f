"""Parenting classes for their organisers: regulators and operators."""


from parentapp.api.blueprint import Blueprint
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.class_enrollments import (
    ClassAttendanceResultSchema,
    ClassAttendanceSchema,
    ClassRosterItemSchema,
    ClassRosterQuerySchema,
)
from parentapp.schemas.classes import (
    ClassCancelSchema,
    ClassCreateSchema,
    ClassFieldsSchema,
    OrganizerClassQuerySchema,
    OrganizerClassSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.classes import organizing
from parentapp.services.classes import roster as class_roster

blp = Blueprint("organizer_classes", __name__, url_prefix="/api/v1/organizer/classes",
                description=(
                    "Organising parenting classes. Regulators organise anywhere and manage "
                    "every class; operators publish for their own approved nurseries "
                    "(nursery_id, which may be left out when they have exactly one) and "
                    "manage only the classes they published (others: 404)."))
ORGANIZERS = ("operator", "regulator")


@blp.route("")
@auth_required(*ORGANIZERS)
@blp.arguments(OrganizerClassQuerySchema, location="query")
@blp.response(200, page_of(OrganizerClassSchema))
def list_classes(query):
    """Your classes (regulators: every class), latest start first."""
    return organizing.list_organizer_classes(current_user().id, now=utcnow(), **query)


@blp.route("", methods=["POST"])
@answers("not_found")
@auth_required(*ORGANIZERS)
@blp.arguments(ClassCreateSchema)
@blp.response(201, OrganizerClassSchema)
def create_class(body):
    """Publish a class. 422 on any rule (start in the future and at most a year ahead, end
    after start, deadline not in the past nor after the start, capacity 1-500, coordinates in
    Shizhu, age band 0-72 months in order); 404 for a nursery that is not yours. An operator
    with exactly one approved nursery may leave out nursery_id; with none or several it is a
    422 on details.nursery_id."""
    return organizing.create_class(current_user().id, body, utcnow())


@blp.route("/<int:class_id>")
@auth_required(*ORGANIZERS)
@blp.response(200, OrganizerClassSchema)
def get_class(class_id):
    return organizing.get_organizer_class(current_user().id, class_id, utcnow())


@blp.route("/<int:class_id>", methods=["PATCH"])
@answers("invalid_state", "capacity_below_enrolled")
@auth_required(*ORGANIZERS)
@blp.arguments(ClassFieldsSchema)
@blp.response(200, OrganizerClassSchema)
def update_class(changes, class_id):
    """Edit a scheduled class. A higher capacity enrols waitlisted families at once; a lower
    one than the enrolled count is a 409 capacity_below_enrolled. Moving the time or place
    tells every family holding a place. 409 invalid_state once cancelled or ended."""
    return organizing.update_class(current_user().id, class_id, changes, utcnow())


@blp.route("/<int:class_id>/cancel", methods=["POST"])
@answers("invalid_state")
@auth_required(*ORGANIZERS)
@blp.arguments(ClassCancelSchema)
@blp.response(200, OrganizerClassSchema)
def cancel_class(body, class_id):
    """Cancel; every enrolled and waitlisted family is told (their entries become
    ``cancelled``). 409 invalid_state when already cancelled or ended."""
    return organizing.cancel_class(current_user().id, class_id, body.get("reason"), utcnow())


@blp.route("/<int:class_id>/enrollments")
@auth_required(*ORGANIZERS)
@blp.arguments(ClassRosterQuerySchema, location="query")
@blp.response(200, page_of(ClassRosterItemSchema))
def roster(query, class_id):
    """Who comes: seats first, then the waitlist in order, then ended entries."""
    return class_roster.roster(current_user().id, class_id, **query)


@blp.route("/<int:class_id>/attendance", methods=["POST"])
@answers("invalid_state")
@auth_required(*ORGANIZERS)
@blp.arguments(ClassAttendanceSchema)
@blp.response(200, ClassAttendanceResultSchema)
def mark_attendance(body, class_id):
    """Mark enrolled families present (``attended: false`` unmarks); idempotent. 409
    invalid_state before the start or for a cancelled class; 422 for ids that are not
    enrolled entries of this class."""
    return class_roster.mark_attendance(current_user().id, class_id,
                                        enrollment_ids=body["enrollment_ids"],
                                        attended=body["attended"], now=utcnow())
