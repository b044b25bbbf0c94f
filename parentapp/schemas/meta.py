from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema


class TownshipSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(metadata={"description": "subdistrict (街道), town (镇), township (乡)"})


class MetaSchema(BaseSchema):
    care_types = fields.List(fields.String(), required=True)
    subscription_templates = fields.Dict(keys=fields.String(), values=fields.String())
    schedule_version = fields.String(required=True)
    townships = fields.List(fields.Nested(TownshipSchema), required=True)


class HealthSchema(BaseSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)
