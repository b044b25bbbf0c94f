"""Parenting classes: what organisers send, what everyone reads.

Rules that need the clock or the stored class (start in the future, end
after start, deadline not after start, age band order) live in the service,
which reports them as a 422 on the field in the same shape as these.
"""

from datetime import UTC

from marshmallow import ValidationError, validates_schema

from parentapp.domain import ClassKind, ClassStatus
from parentapp.models.parenting_class import MAX_CAPACITY, ParentingClass
from parentapp.schemas import fields
from parentapp.schemas.accounts import validate_township
from parentapp.schemas.base import BaseSchema, PageQuerySchema, length, one_of, value_range
from parentapp.schemas.fields import LocalDateTime
from parentapp.services.classes.queries import distance_m, seats_left
from parentapp.timeutil import to_local_iso

# Shizhu county's bounding box (domain reference, section 2).
LAT_RANGE = (29.65, 30.53)
LNG_RANGE = (107.98, 108.57)
MAX_CHILD_AGE_MONTHS = 72
KIND = one_of(ClassKind.values())
ID_RANGE = value_range(1, 2**31 - 1)


class Instant(LocalDateTime, fields.AwareDateTime):
    """ISO 8601 with an offset in (naive times are rejected), aware UTC inside, +08:00 out."""

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            return instant.astimezone(UTC)
        except OverflowError as exc:  # e.g. year 1 with a positive offset
            raise ValidationError("时间超出范围。") from exc


def _age_field():
    return fields.Integer(allow_none=True, validate=value_range(0, MAX_CHILD_AGE_MONTHS))


class ClassFieldsSchema(BaseSchema):
    """Every editable field, all optional: PATCH uses it as is, POST requires the most."""

    title = fields.Text(validate=length(1, 40))
    kind = fields.String(validate=KIND)
    township = fields.String(validate=validate_township)
    venue = fields.Text(validate=length(1, 60))
    lat = fields.Float(validate=value_range(*LAT_RANGE),
                       metadata={"description": "GCJ-02, inside Shizhu county"})
    lng = fields.Float(validate=value_range(*LNG_RANGE),
                       metadata={"description": "GCJ-02, inside Shizhu county"})
    starts_at = Instant()
    ends_at = Instant()
    enroll_deadline = Instant(metadata={"description": "enrolment closes at this instant"})
    capacity = fields.Integer(validate=value_range(1, MAX_CAPACITY),
                              metadata={"description": "seats, in families"})
    child_age_min_months = _age_field()
    child_age_max_months = _age_field()
    description = fields.Text(multiline=True, blank=True, validate=length(max=2000))


class ClassCreateSchema(ClassFieldsSchema):
    title = fields.Text(required=True, validate=length(1, 40))
    kind = fields.String(required=True, validate=KIND)
    township = fields.String(required=True, validate=validate_township)
    venue = fields.Text(required=True, validate=length(1, 60))
    lat = fields.Float(required=True, validate=value_range(*LAT_RANGE))
    lng = fields.Float(required=True, validate=value_range(*LNG_RANGE))
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    enroll_deadline = Instant(required=True)
    capacity = fields.Integer(required=True, validate=value_range(1, MAX_CAPACITY))
    description = fields.Text(multiline=True, blank=True, load_default="",
                              validate=length(max=2000))
    nursery_id = fields.Integer(allow_none=True, validate=ID_RANGE, metadata={
        "description": "operators: one of their approved nurseries, which may be left out "
                       "when they have exactly one; regulators: optional"})


class ClassCancelSchema(BaseSchema):
    reason = fields.Text(multiline=True, blank=True, validate=length(max=100),
                           metadata={"description": "optional, shown to the families"})


class ClassFilterQuerySchema(PageQuerySchema):
    date_from = fields.Date(data_key="from", metadata={
        "description": "first local date of start (the public list defaults to today)"})
    date_to = fields.Date(data_key="to", metadata={"description": "last local date of start"})
    township = fields.String(validate=validate_township)
    kind = fields.String(validate=KIND)

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        if "date_from" in data and "date_to" in data and data["date_to"] < data["date_from"]:
            raise ValidationError("结束日期不能早于开始日期。", "to")


class ClassListQuerySchema(ClassFilterQuerySchema):
    lat = fields.Float(validate=value_range(-90, 90),
                       metadata={"description": "with lng: nearest first, and distance_m"})
    lng = fields.Float(validate=value_range(-180, 180))

    @validates_schema
    def _position_complete(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            raise ValidationError("lat 与 lng 需要同时提供。", missing)


class OrganizerClassQuerySchema(ClassFilterQuerySchema):
    status = fields.String(validate=one_of(ClassStatus.values()))


class MyEnrollmentBriefSchema(BaseSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    position = fields.Integer(allow_none=True)
    child_id = fields.Integer(allow_none=True)


class ClassItemSchema(BaseSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    township = fields.String(required=True)
    venue = fields.String(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    capacity = fields.Integer(required=True)
    enrolled = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    waitlist_length = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(ClassStatus.values())})
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)
    enroll_deadline = LocalDateTime(required=True)
    enrollment_open = fields.Boolean(required=True)
    child_age_min_months = fields.Integer(allow_none=True)
    child_age_max_months = fields.Integer(allow_none=True)
    description = fields.String(required=True)
    nursery_id = fields.Integer(allow_none=True)
    distance_m = fields.Integer(allow_none=True,
                                metadata={"description": "only when lat and lng are given"})


def class_item(row, now, origin: tuple[float, float] | None = None) -> dict:
    """What ``ClassItemSchema`` dumps for a listed class, built directly from a row of
    ``queries.list_class_rows`` (status and enrolment by the model's own rules). Same keys,
    order and values; the schema stays the documented answer
    (tests/api/test_class_listing_fast.py holds them equal).
    """
    return {"id": row.id, "title": row.title, "kind": row.kind, "township": row.township,
            "venue": row.venue, "starts_at": to_local_iso(row.starts_at),
            "ends_at": to_local_iso(row.ends_at), "capacity": row.capacity,
            "enrolled": row.enrolled, "remaining": seats_left(row.capacity, row.enrolled),
            "waitlist_length": row.waitlisted,
            "status": ParentingClass.status_at(row, now), "lat": row.lat, "lng": row.lng,
            "enroll_deadline": to_local_iso(row.enroll_deadline),
            "enrollment_open": ParentingClass.enrollment_open_at(row, now),
            "child_age_min_months": row.child_age_min_months,
            "child_age_max_months": row.child_age_max_months,
            "description": row.description, "nursery_id": row.nursery_id,
            "distance_m": None if origin is None else distance_m(row.lat, row.lng, *origin)}


class ClassDetailSchema(ClassItemSchema):
    my_enrollment = fields.Nested(MyEnrollmentBriefSchema, allow_none=True, metadata={
        "description": "the latest entry in this class of the caller or of one of their "
                       "children, if any"})


class OrganizerClassSchema(ClassItemSchema):
    organizer_id = fields.Integer(required=True)
    attended = fields.Integer(required=True, metadata={"description": "families marked present"})
    cancelled_at = LocalDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = LocalDateTime(required=True)
