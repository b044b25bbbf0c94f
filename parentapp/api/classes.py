"""Parenting classes for families: browse without login, enrol, leave, my classes."""


from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.api.caching import NOT_MODIFIED_DOC, json_response, public_cache
from parentapp.api.error_docs import answers
from parentapp.models import utcnow
from parentapp.schemas.base import page_of
from parentapp.schemas.class_enrollments import (
    ClassEnrollmentSchema,
    ClassEnrollSchema,
    LeaveClassQuerySchema,
    MyEnrollmentQuerySchema,
    MyEnrollmentSchema,
)
from parentapp.schemas.classes import (
    ClassDetailSchema,
    ClassItemSchema,
    ClassListQuerySchema,
    class_item,
)
from parentapp.security import auth_required, current_user, viewer_id
from parentapp.services.classes import enrollment, my_entries, queries
from parentapp.services.common.transactions import reads_only

blp = Blueprint("classes", __name__, url_prefix="/api/v1", description=(
    "Parenting classes for families. Class status: scheduled, cancelled, completed (from its "
    "end on). Enrolment status: enrolled, waitlisted (position from 1, first come first "
    "served), left (the family withdrew), cancelled (the class was cancelled). A family "
    "holds at most one enrolled or waitlisted entry per class; ended entries stay listed."))


@blp.route("/classes")
@public_cache(max_age=5)  # seats change with every enrolment: seconds, not minutes
@reads_only()
@blp.arguments(ClassListQuerySchema, location="query")
@blp.response(200, page_of(ClassItemSchema))
@blp.alt_response(304, description=NOT_MODIFIED_DOC)
def list_classes(query):
    """Classes from today on (or ``from``/``to``), nearest first with ``lat``/``lng``, else
    soonest first. No login needed.

    ETag and ``Cache-Control: public, max-age=5`` (``private, no-cache`` with a token);
    ``If-None-Match`` with the current ETag gets a 304.
    """
    now = utcnow()
    listed = queries.list_class_rows(now, **query)
    origin = None if query.get("lat") is None else (query["lat"], query["lng"])
    # The documented page of ClassItemSchema, dumped by hand (same JSON): see class_item.
    listed["items"] = [class_item(row, now, origin) for row in listed["items"]]
    return json_response(listed)


@blp.route("/classes/<int:class_id>")
@answers("unauthorized")
@blp.response(200, ClassDetailSchema)
def get_class(class_id):
    """One class; with a parent's token, ``my_enrollment`` is the latest entry of theirs or
    of one of their children (whoever of the child's people took it)."""
    return my_entries.class_for(class_id, utcnow(), viewer_id(role="parent"))


@blp.route("/classes/<int:class_id>/enrollments", methods=["POST"])
@answers("enrollment_closed", "already_enrolled", "age_ineligible", "invalid_state",
         "limit_reached")
@auth_required("parent")
@blp.arguments(ClassEnrollSchema)
@blp.response(201, ClassEnrollmentSchema)
def enroll(body, class_id):
    """Take a seat, or a waitlist place when the class is full (201 either way).

    404 unknown class or not your child; 409 enrollment_closed (deadline passed or class
    cancelled), already_enrolled, limit_reached (class_places_per_family); 422
    age_ineligible (the child's age on the class date).
    """
    return enrollment.enroll(
        current_user().id, class_id, body.get("child_id"), utcnow(),
        class_places_per_family=service_settings.limit("class_places_per_family"))


@blp.route("/classes/<int:class_id>/enrollments/mine", methods=["DELETE"])
@answers("invalid_state")
@auth_required("parent")
@blp.arguments(LeaveClassQuerySchema, location="query")
@blp.response(204)
def leave(query, class_id):
    """Give up a seat or waitlist place: ``child_id``'s, else your own (no child), else
    the one your children hold (422 when several do: name the child). A freed seat goes
    at once to the first waitlisted family, who is told. 404 without an entry or for a
    child not yours; 403 for a viewer of the child; 409 invalid_state once the class
    started."""
    enrollment.leave(current_user().id, class_id, utcnow(), child_id=query.get("child_id"))


@blp.route("/me/enrollments")
@answers("not_found")
@auth_required("parent")
@blp.arguments(MyEnrollmentQuerySchema, location="query")
@blp.response(200, page_of(MyEnrollmentSchema))
def my_enrollments(query):
    """The entries of all your children and your own, newest first, with ``position``
    while waitlisted; ``child_id`` keeps one child's (404 when it is not one of yours)."""
    return enrollment.my_enrollments(current_user().id, now=utcnow(), **query)
