"""What operators and regulators read about a nursery and its filing trail."""

from __future__ import annotations

from parentapp.domain import FilingStatus
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema
from parentapp.schemas.fields import LocalDateTime


class FilingActorSchema(BaseSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    name = fields.String(allow_none=True)


class FilingEventSchema(BaseSchema):
    """One filing transition: who, when, why. ``from_status`` is null for the creation."""

    id = fields.Integer(required=True)
    from_status = fields.String(allow_none=True, metadata={"enum": list(FilingStatus.values())})
    to_status = fields.String(required=True, metadata={"enum": list(FilingStatus.values())})
    at = LocalDateTime(attribute="created_at", required=True)
    actor = fields.Nested(FilingActorSchema, allow_none=True,
                          metadata={"description": "null for the register import"})
    reason = fields.String(allow_none=True)
    filing_no = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True, metadata={
        "description": "registration facts changed, {field: [old, new]}"})


class OperatorNurserySchema(BaseSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    township = fields.String(required=True)
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)
    phone = fields.String(required=True)
    kind = fields.String(required=True)
    inclusive = fields.Boolean(required=True)
    licensed_places = fields.Integer(required=True)
    opening_hours = fields.Dict(required=True)
    registration_type = fields.String(required=True)
    credit_code = fields.String(required=True)
    description = fields.String(required=True)
    open_to_public = fields.Boolean(required=True)
    status = fields.String(attribute="filing_status", required=True,
                           metadata={"enum": list(FilingStatus.values())})
    visible_to_parents = fields.Boolean(attribute="is_visible_to_parents", required=True)
    filing_no = fields.String(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    submitted_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime(required=True)
    updated_at = LocalDateTime(required=True)


class OperatorNurseryDetailSchema(OperatorNurserySchema):
    events = fields.List(fields.Nested(FilingEventSchema), required=True,
                         metadata={"description": "the filing's audit trail, oldest first"})


class FilingSubmittedSchema(BaseSchema):
    status = fields.String(required=True, metadata={"example": "pending"})
