from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema


class SubsidyYearSchema(BaseSchema):
    year = fields.Integer()
    months = fields.Integer()
    amount_yuan = fields.Integer()


class SubsidyApplySchema(BaseSchema):
    where = fields.String()
    channels = fields.List(fields.String())
    note = fields.String()


class ChildcareSubsidySchema(BaseSchema):
    child_id = fields.Integer()
    eligible = fields.Boolean()
    months = fields.Integer()
    amount_yuan = fields.Integer()
    years = fields.List(fields.Nested(SubsidyYearSchema))
    first_month = fields.String(allow_none=True, metadata={"example": "2025-01"})
    last_month = fields.String(allow_none=True, metadata={"example": "2026-12"})
    yuan_per_month = fields.Integer()
    apply = fields.Nested(SubsidyApplySchema)
    source = fields.String()
