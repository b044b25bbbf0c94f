from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema
from parentapp.schemas.fields import LocalDateTime


class NotificationSchema(BaseSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = LocalDateTime(attribute="planned_at", required=True)
    read_at = LocalDateTime(allow_none=True)
    link = fields.String(allow_none=True)


class NotificationQuerySchema(PageQuerySchema):
    unread = fields.Boolean(load_default=False)
