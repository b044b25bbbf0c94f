"""Monthly places by application (入托申请): rounds, applications, demand."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from marshmallow import ValidationError, validates

from parentapp.domain import PRIORITY_RULES, ApplicationStatus, CareType
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, one_of, value_range
from parentapp.schemas.classes import ID_RANGE, Instant
from parentapp.schemas.fields import LocalDateTime
from parentapp.schemas.slots import items, unique

MAX_ROUND_PLACES = 500
MAX_CHOICES = 3
_MONTH = re.compile(r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$")


class Month(fields.String):
    """``YYYY-MM``."""

    def _deserialize(self, value, attr, data, **kwargs):
        month = super()._deserialize(value, attr, data, **kwargs)
        if not _MONTH.match(month):
            raise ValidationError("应为 YYYY-MM 格式的月份。")
        return month


_FULL_DAY = one_of((CareType.FULL_DAY,))


class RoundCreateSchema(BaseSchema):
    month = Month(required=True, metadata={"example": "2027-03"})
    care_type = fields.String(required=True, validate=_FULL_DAY,
                              metadata={"description": "only full_day"})
    places = fields.Integer(required=True, strict=True, validate=value_range(1, MAX_ROUND_PLACES),
                            metadata={"description": "whole-month places held out of every "
                                                     "full-day slot of the month"})
    closes_at = Instant(required=True)
    priority_rules = fields.List(
        fields.String(validate=one_of(PRIORITY_RULES)), load_default=None,
        validate=[items(0, len(PRIORITY_RULES)), unique],
        metadata={"description": "ordered subset of township, siblings (default both)"})


class RoundSchema(BaseSchema):
    id = fields.Integer(required=True)
    nursery_id = fields.Integer(required=True)
    month = fields.String(required=True)
    care_type = fields.String(required=True)
    places = fields.Integer(required=True)
    held = fields.Integer(required=True, metadata={
        "description": "places still held out of sale (offered or not yet allocated)"})
    closes_at = LocalDateTime(required=True)
    priority_rules = fields.List(fields.String(), required=True)
    seed = fields.String(required=True, metadata={
        "description": "published at opening: the draw orders ties by "
                       "SHA-256(seed + application id)"})
    status = fields.Method("_status", required=True, metadata={
        "enum": ["open", "closed", "allocated", "ended"]})
    allocated_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime(required=True)

    def _status(self, place_round):
        return place_round.status_at(datetime.now(UTC))


class RoundListSchema(BaseSchema):
    items = fields.List(fields.Nested(RoundSchema), required=True)


class ApplicantSchema(BaseSchema):
    application_id = fields.Integer(required=True)
    child_name = fields.String(required=True)
    rank = fields.Integer(required=True, metadata={"description": "the family's rank of this "
                                                                  "nursery (1 first)"})
    township = fields.String(allow_none=True, required=True)
    township_first = fields.Boolean(allow_none=True, required=True)
    sibling = fields.Boolean(allow_none=True, required=True)
    draw = fields.String(allow_none=True, required=True)
    position = fields.Integer(allow_none=True, required=True, metadata={
        "description": "place in this round's line after allocation (1 first)"})
    result = fields.String(required=True, metadata={
        "enum": [*ApplicationStatus.values(), "elsewhere"],
        "description": "the application's status here; elsewhere: placed at another nursery"})


class RoundDetailSchema(RoundSchema):
    applicants = fields.List(fields.Nested(ApplicantSchema), required=True)


class ApplicationChangeSchema(BaseSchema):
    choices = fields.List(fields.Integer(strict=True, validate=ID_RANGE), required=True,
                          validate=[items(1, MAX_CHOICES), unique], metadata={
                              "description": "nursery ids, most preferred first"})


class ApplicationCreateSchema(ApplicationChangeSchema):
    child_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    month = Month(required=True)
    care_type = fields.String(required=True, validate=_FULL_DAY)

    @validates("month")
    def _not_absurd(self, value, **kwargs):
        if not 1900 <= int(value[:4]) <= 2999:
            raise ValidationError("月份超出范围。")


class ApplicationSchema(BaseSchema):
    id = fields.Integer(required=True)
    child_id = fields.Integer(required=True)
    month = fields.String(required=True)
    care_type = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(ApplicationStatus.values())})
    choices = fields.Method("_choices", required=True, metadata={
        "type": "array", "items": {"type": "integer"},
        "description": "nursery ids, most preferred first"})
    nursery_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the nursery offering (or giving) the place"})
    offer_expires_at = LocalDateTime(allow_none=True, required=True)
    booking_id = fields.Integer(allow_none=True, required=True)
    editable_until = LocalDateTime(allow_none=True, required=True, metadata={
        "description": "changes and withdrawal until the first choice's round closes"})
    created_at = LocalDateTime(required=True)

    def _choices(self, application):
        return [choice.nursery_id for choice in application.choices]


class ApplicationListSchema(BaseSchema):
    items = fields.List(fields.Nested(ApplicationSchema), required=True)


class DemandQuerySchema(BaseSchema):
    month = Month(required=True)


class DemandCountySchema(BaseSchema):
    applications = fields.Integer(required=True)
    placed = fields.Integer(required=True, metadata={"description": "offered or accepted"})
    unplaced = fields.Integer(required=True)
    places_offered = fields.Integer(required=True)


class DemandRowSchema(DemandCountySchema):
    code = fields.String(allow_none=True, required=True, metadata={
        "description": "null: families whose township is unknown"})
    name = fields.String(required=True)


class DemandSchema(BaseSchema):
    month = fields.String(required=True)
    townships = fields.List(fields.Nested(DemandRowSchema), required=True)
    county = fields.Nested(DemandCountySchema, required=True)
