from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length, one_of
from parentapp.services.reminders.subscriptions import RESULTS


class SubscriptionResultsSchema(BaseSchema):
    results = fields.Dict(
        keys=fields.String(validate=length(min=1, max=64)),
        values=fields.String(validate=one_of(RESULTS)),
        required=True,
        metadata={"description": "wx.requestSubscribeMessage's answer: template id -> result"},
    )


class GrantCountsSchema(BaseSchema):
    vaccine = fields.Integer(required=True)
    checkup = fields.Integer(required=True)
    booking = fields.Integer(required=True)
    class_ = fields.Integer(required=True, attribute="class", data_key="class")


class SubscriptionGrantsSchema(BaseSchema):
    grants = fields.Nested(GrantCountsSchema, required=True)
