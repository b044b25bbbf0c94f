from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema


class TownshipSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(metadata={"description": "subdistrict (街道), town (镇), township (乡)"})


class VaccineProductSchema(BaseSchema):
    code = fields.String(required=True, metadata={
        "description": "the product a vaccination may be recorded by"})
    name = fields.String(required=True)
    counts_as = fields.List(fields.String(), required=True, metadata={
        "description": "the series a dose of this product counts as the next dose of"})


class ScheduleOverlaySchema(BaseSchema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    source = fields.String(required=True)


class MetaSchema(BaseSchema):
    care_types = fields.List(fields.String(), required=True)
    subscription_templates = fields.Dict(keys=fields.String(), values=fields.String())
    schedule_version = fields.String(required=True)
    schedule_overlay = fields.Nested(ScheduleOverlaySchema, allow_none=True, required=True,
                                     metadata={"description": "the regional additions to the "
                                               "schedule in force; null when there are none"})
    vaccine_products = fields.List(fields.Nested(VaccineProductSchema), required=True, metadata={
        "description": "the vaccine products of the schedule in force"})
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
