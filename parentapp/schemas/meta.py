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


class JobHealthSchema(BaseSchema):
    last_success_at = fields.LocalDateTime(allow_none=True, required=True)
    last_failure_at = fields.LocalDateTime(allow_none=True, required=True)
    failing = fields.Boolean(required=True, metadata={
        "description": "the latest run failed (after the latest success, if any)"})


class SchedulerHealthSchema(BaseSchema):
    last_success_at = fields.LocalDateTime(allow_none=True, required=True, metadata={
        "description": "latest success of any job, +08:00; null before the first run"})
    late = fields.Boolean(required=True, metadata={
        "description": "no job succeeded in the last 10 minutes (or ever)"})
    jobs = fields.Dict(keys=fields.String(), values=fields.Nested(JobHealthSchema),
                       required=True)


class HealthSchema(BaseSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)
    scheduler = fields.Nested(SchedulerHealthSchema, allow_none=True, metadata={
        "description": "the scheduler's last runs (reported, never a 503); null when they "
                       "cannot be read"})
