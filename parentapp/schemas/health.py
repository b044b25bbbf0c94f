from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length


class PlanItemSchema(BaseSchema):
    code = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "vaccine | checkup"})
    name = fields.String(required=True)
    due_date = fields.Date(required=True)
    latest_date = fields.Date(allow_none=True)
    status = fields.String(required=True,
                           metadata={"description": "done | upcoming | due | overdue"})
    past_latest = fields.Boolean(required=True)
    done_on = fields.Date(allow_none=True)


class HealthPlanSchema(BaseSchema):
    schedule_version = fields.String(required=True)
    items = fields.List(fields.Nested(PlanItemSchema), required=True)


class HealthRecordSchema(BaseSchema):
    code = fields.String(required=True, validate=length(1, 24))
    done_on = fields.Date(required=True)
