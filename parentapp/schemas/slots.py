"""Slots: generation, listing and operator changes."""

from marshmallow import ValidationError, validate, validates_schema

from parentapp.domain import CareType, SlotStatus
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length, one_of, value_range

CARE_TYPE = one_of(CareType.values())


class HourMinute(fields.Time):
    """A local wall-clock time shown as ``HH:MM``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


def items(min: int, max: int) -> validate.Length:  # noqa: A002
    return validate.Length(min=min, max=max, error=f"应有 {min} 到 {max} 项。")


def unique(values) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("不能重复。")


class SlotGenerateSchema(BaseSchema):
    care_type = fields.String(required=True, validate=CARE_TYPE)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    weekdays = fields.List(fields.Integer(strict=True, validate=value_range(1, 7)),
                           load_default=lambda: [1, 2, 3, 4, 5],
                           validate=[items(1, 7), unique],
                           metadata={"description": "ISO weekdays, 1 Monday to 7 Sunday"})
    capacity = fields.Integer(required=True, strict=True, validate=value_range(1, 1000))
    parts = fields.List(fields.String(validate=one_of(["am", "pm"])), validate=unique,
                        metadata={"description": "half_day only; default both"})


class SlotGenerateResultSchema(BaseSchema):
    created = fields.Integer(required=True)
    skipped_existing = fields.Integer(required=True)


class SlotQuerySchema(BaseSchema):
    from_ = fields.Date(data_key="from", metadata={"description": "default today"})
    to = fields.Date(metadata={"description": "default from + 6 days; at most 62 days"})
    care_type = fields.String(validate=CARE_TYPE)


class SlotItemSchema(BaseSchema):
    id = fields.Integer(required=True)
    care_type = fields.String(required=True)
    date = fields.Date(required=True)
    start = HourMinute(attribute="start_time", required=True)
    end = HourMinute(attribute="end_time", required=True)
    capacity = fields.Integer(required=True)
    booked = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    status = fields.String(required=True)
    price_fen = fields.Integer(required=True)
    bookable = fields.Boolean(required=True)
    waitlist_length = fields.Integer(required=True)
    held = fields.Integer(metadata={"description": "places held for waitlist offers"})
    closed_reason = fields.String(allow_none=True)


class SlotListSchema(BaseSchema):
    items = fields.List(fields.Nested(SlotItemSchema), required=True)


def slot_item(row, price_fen: int, answer) -> dict:
    """What ``SlotItemSchema`` dumps for a listed slot (a Core row, its price, its
    availability), built directly: the public listing answers hundreds of slots and the
    schema's dump was two fifths of its time. Same keys, order and formats; the schema
    stays the documented answer (tests/api/test_slot_listing_cache.py holds them equal).
    """
    return {"id": row.id, "care_type": row.care_type, "date": row.date.isoformat(),
            "start": row.start_time.isoformat("minutes"),  # HH:MM, as HourMinute
            "end": row.end_time.isoformat("minutes"),
            "capacity": row.capacity, "booked": row.booked, "remaining": answer.remaining,
            "status": row.status, "price_fen": price_fen, "bookable": answer.bookable,
            "waitlist_length": row.waitlist_length, "held": row.held,
            "closed_reason": row.closed_reason}


class SlotChangeSchema(BaseSchema):
    capacity = fields.Integer(strict=True, validate=value_range(0, 1000))
    status = fields.String(validate=one_of(SlotStatus.values()))
    reason = fields.Text(multiline=True, validate=length(1, 200),
                           metadata={"description": "shown to families when closing"})

    @validates_schema
    def _something(self, data, **kwargs):
        if "capacity" not in data and "status" not in data:
            raise ValidationError("请至少修改名额或状态之一。", field_name="_schema")


class SlotBatchItemSchema(SlotChangeSchema):
    slot_id = fields.Integer(required=True, strict=True)


class SlotBatchSchema(BaseSchema):
    changes = fields.List(fields.Nested(SlotBatchItemSchema), required=True,
                          validate=items(1, 500))


class SlotBatchResultSchema(BaseSchema):
    items = fields.List(fields.Nested(SlotItemSchema), required=True)


class SlotBriefSchema(BaseSchema):
    """A slot inside a booking, a waitlist entry or a roster line."""

    id = fields.Integer(required=True)
    nursery_id = fields.Integer()
    care_type = fields.String()
    date = fields.Date(required=True)
    start = HourMinute(attribute="start_time", required=True)
    end = HourMinute(attribute="end_time", required=True)

