"""A nursery's staff, their certificates and duty, and the carer ratio (operators)."""

from __future__ import annotations

from marshmallow import validate

from parentapp.domain import StaffRole
from parentapp.schemas import fields
from parentapp.schemas.accounts import PHONE
from parentapp.schemas.base import BaseSchema, length, one_of
from parentapp.schemas.fields import LocalDateTime
from parentapp.timeutil import LOCAL_TZ

MAX_CERTIFICATES = 10
_ROLE = one_of(StaffRole.values())


class CertificateSchema(BaseSchema):
    kind = fields.Text(required=True, validate=length(1, 40),
                       metadata={"description": "e.g. 保育员证, 育婴员证, 教师资格证"})
    number = fields.Text(required=True, validate=length(1, 40))
    expires_on = fields.Date(allow_none=True, load_default=None)


_CERTIFICATES = fields.List(
    fields.Nested(CertificateSchema),
    validate=validate.Length(max=MAX_CERTIFICATES, error=f"证书最多 {MAX_CERTIFICATES} 项。"))


class StaffChangeSchema(BaseSchema):
    """PATCH: only the fields given change; ``certificates`` replaces the whole list."""

    name = fields.Text(validate=length(1, 20))
    phone = fields.Text(validate=PHONE)
    role = fields.String(validate=_ROLE)
    certificates = _CERTIFICATES
    health_certificate_expires_on = fields.Date(allow_none=True, metadata={
        "description": "健康证 valid until"})


class StaffHireSchema(StaffChangeSchema):
    name = fields.Text(required=True, validate=length(1, 20))
    phone = fields.Text(required=True, validate=PHONE)
    role = fields.String(required=True, validate=_ROLE)
    certificates = fields.List(
        fields.Nested(CertificateSchema), load_default=list,
        validate=validate.Length(max=MAX_CERTIFICATES, error=f"证书最多 {MAX_CERTIFICATES} 项。"))
    health_certificate_expires_on = fields.Date(allow_none=True, load_default=None, metadata={
        "description": "健康证 valid until"})


class StaffSchema(BaseSchema):
    """As the nursery's own operator sees it: the phone in full."""

    id = fields.Integer(required=True)
    nursery_id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "in full, operators only"})
    role = fields.String(required=True, metadata={"enum": list(StaffRole.values())})
    certificates = fields.List(fields.Nested(CertificateSchema), required=True)
    health_certificate_expires_on = fields.Date(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    left_at = LocalDateTime(allow_none=True, required=True)
    on_duty = fields.Boolean(required=True)
    on_duty_since = LocalDateTime(allow_none=True, required=True)
    created_at = LocalDateTime(required=True)


class StaffListSchema(BaseSchema):
    items = fields.List(fields.Nested(StaffSchema), required=True)


class RatioQuerySchema(BaseSchema):
    at = fields.AwareDateTime(default_timezone=LOCAL_TZ, metadata={
        "description": "ISO 8601; without an offset, Asia/Shanghai; default now"})


class RatioChildrenSchema(BaseSchema):
    infant = fields.Integer(required=True, metadata={"description": "under 12 months"})
    toddler = fields.Integer(required=True, metadata={"description": "12 to 23 months"})
    older = fields.Integer(required=True, metadata={"description": "24 months and up"})


class RatioSchema(BaseSchema):
    at = LocalDateTime(required=True)
    children = fields.Nested(RatioChildrenSchema, required=True)
    carers_on_duty = fields.Integer(required=True)
    carers_required = fields.Integer(required=True)
    compliant = fields.Boolean(required=True)
