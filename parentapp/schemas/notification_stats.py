from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, page_of, value_range
from parentapp.schemas.fields import LocalDateTime
from parentapp.services.stats.delivery import MAX_DAYS


class NotificationStatsQuerySchema(PageQuerySchema):
    days = fields.Integer(load_default=7, validate=value_range(min=1, max=MAX_DAYS))


class KindStateCountSchema(BaseSchema):
    kind = fields.String(required=True)
    state = fields.String(required=True)
    count = fields.Integer(required=True)


class DeliveryErrorCountSchema(BaseSchema):
    error = fields.String(required=True, metadata={
        "description": "WeChat errcode (e.g. 40003, 47003, -1), or timeout, http_5xx, "
                       "transport, interrupted, expired, invalid_value, no_openid"})
    count = fields.Integer(required=True)


class FailedNotificationSchema(BaseSchema):
    """No title, body or account: the view is for operations, not personal data."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    template_kind = fields.String(allow_none=True)
    delivery_state = fields.String(required=True)
    last_error = fields.String(allow_none=True)
    attempts = fields.Integer(required=True)
    planned_at = LocalDateTime(required=True)
    created_at = LocalDateTime(required=True)


class NotificationStatsSchema(BaseSchema):
    days = fields.Integer(required=True)
    since = LocalDateTime(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counts = fields.List(fields.Nested(KindStateCountSchema), required=True)
    errors = fields.List(fields.Nested(DeliveryErrorCountSchema), required=True)
    failures = fields.Nested(page_of(FailedNotificationSchema), required=True)
