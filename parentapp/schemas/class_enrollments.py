"""Enrolments in parenting classes: the family's side and the organiser's roster."""

from marshmallow import validate

from parentapp.domain import EnrollmentStatus
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, one_of
from parentapp.schemas.booked_by import BOOKED_BY_DOC, BookedBySchema
from parentapp.schemas.classes import ID_RANGE
from parentapp.schemas.fields import LocalDateTime

ID_COUNT = "应包含 1 到 500 个报名记录。"
STATUS_DOC = ("enrolled (holds a seat), waitlisted (queued; position from 1), "
              "left (the family withdrew), cancelled (the class was cancelled)")


class ClassEnrollSchema(BaseSchema):
    child_id = fields.Integer(allow_none=True, validate=ID_RANGE, metadata={
        "description": "optional; the child must be yours and fit the class's age band"})


class ClassEnrollmentSchema(BaseSchema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    child_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the child the seat is for; null for a seat of the account alone"})
    status = fields.String(required=True, metadata={"enum": list(EnrollmentStatus.values()),
                                                    "description": STATUS_DOC})
    position = fields.Integer(allow_none=True, metadata={
        "description": "place among waitlisted families from 1; null unless waitlisted"})
    booked_by = fields.Nested(BookedBySchema, required=True, metadata=BOOKED_BY_DOC)


class EnrolledClassBriefSchema(BaseSchema):
    title = fields.String(required=True)
    kind = fields.String(required=True)
    venue = fields.String(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    status = fields.String(required=True)


class MyEnrollmentSchema(ClassEnrollmentSchema):
    attended = fields.Boolean(required=True)
    created_at = LocalDateTime(required=True)
    parenting_class = fields.Nested(EnrolledClassBriefSchema, data_key="class", required=True)


class MyEnrollmentQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(EnrollmentStatus.values()))
    child_id = fields.Integer(validate=ID_RANGE, metadata={
        "description": "only this child's entries (404 when it is not one of yours)"})


class LeaveClassQuerySchema(BaseSchema):
    child_id = fields.Integer(validate=ID_RANGE, metadata={
        "description": "the child whose seat or waitlist place to give up; needed when "
                       "several of your children hold one in the class"})


class ClassRosterQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(EnrollmentStatus.values()))


class ClassRosterItemSchema(ClassEnrollmentSchema):
    class Meta:
        exclude = ("booked_by",)  # the organiser sees the account (family_id, nickname)

    family_id = fields.Integer(required=True)
    nickname = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked, e.g. 138****0000"})
    child_name = fields.String(allow_none=True)
    child_age_months = fields.Integer(allow_none=True,
                                      metadata={"description": "on the class's date"})
    attended = fields.Boolean(required=True)
    created_at = LocalDateTime(required=True)
    promoted_at = LocalDateTime(allow_none=True)


class ClassAttendanceSchema(BaseSchema):
    enrollment_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                                 validate=validate.Length(1, 500, error=ID_COUNT))
    attended = fields.Boolean(load_default=True, metadata={
        "description": "false clears the mark (to fix a mistake)"})


class ClassAttendanceResultSchema(BaseSchema):
    class_id = fields.Integer(required=True)
    attended = fields.Integer(required=True, metadata={"description": "families marked present"})
    enrollment_ids = fields.List(fields.Integer(validate=ID_RANGE), required=True,
                                 metadata={"description": "every enrolment marked present"})
