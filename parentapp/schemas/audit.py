"""The regulator's audit log: its filters and its entries."""

from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, validates_schema

from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, value_range
from parentapp.schemas.fields import LocalDateTime

# Dates far outside the log's life are a mistake (and year 1 has no UTC instant).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def _in_range(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"日期应在 {EARLIEST} 到 {LATEST} 之间。")


class AuditQuerySchema(PageQuerySchema):
    actor = fields.Integer(validate=value_range(min=1),
                           metadata={"description": "the acting account's id"})
    nursery_id = fields.Integer(validate=value_range(min=1))
    date_from = fields.Date(data_key="from", validate=_in_range,
                            metadata={"description": "first local date (Asia/Shanghai)"})
    date_to = fields.Date(data_key="to", validate=_in_range,
                          metadata={"description": "last local date, inclusive"})

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        if "date_from" in data and "date_to" in data and data["date_to"] < data["date_from"]:
            raise ValidationError("结束日期不能早于开始日期。", "to")


class AuditEntrySchema(BaseSchema):
    id = fields.Integer(required=True)
    at = LocalDateTime(required=True, metadata={"description": "with the +08:00 offset"})
    actor_id = fields.Integer(allow_none=True, metadata={
        "description": "null for the command line (`flask users create`)"})
    actor_name = fields.String(allow_none=True, metadata={"description": "name, else username"})
    actor_role = fields.String(allow_none=True)
    action = fields.String(required=True, metadata={"description": "e.g. `filing.approve`"})
    subject_type = fields.String(required=True, metadata={
        "description": "nursery, offering, slot, booking, class, township, user, alert, staff "
                       "or round"})
    subject_id = fields.String(required=True, metadata={
        "description": "the subject's id as text (a township's code)"})
    nursery_id = fields.Integer(allow_none=True)
    nursery_name = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True, metadata={"description": "changed fields, old values"})
    after = fields.Dict(allow_none=True, metadata={"description": "changed fields, new values"})
