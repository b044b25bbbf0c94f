"""Offerings: price, ages and booking terms per nursery and care type."""

from parentapp.domain import CareType
from parentapp.models.offering import MAX_AGE_MONTHS
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, value_range

MAX_PRICE_FEN = 10_000_000  # 100,000 yuan: far above any month of care


def _int(**kwargs):
    return fields.Integer(strict=True, **kwargs)


class OfferingPutSchema(BaseSchema):
    """The whole offering; terms left out take the contract's defaults for the care type."""

    price_fen = _int(required=True, validate=value_range(0, MAX_PRICE_FEN),
                     metadata={"description": "per slot: a day, a half day, an hour, a date"})
    age_min_months = _int(validate=value_range(0, MAX_AGE_MONTHS),
                          metadata={"description": "default 0"})
    age_max_months = _int(validate=value_range(0, MAX_AGE_MONTHS),
                          metadata={"description": "default 36"})
    book_ahead_days = _int(validate=value_range(0, 366))
    min_notice_hours = _int(validate=value_range(0, 720))
    cancel_cutoff_hours = _int(validate=value_range(0, 720))


class OfferingSchema(BaseSchema):
    care_type = fields.String(required=True, metadata={"enum": list(CareType.values())})
    price_fen = fields.Integer(required=True)
    age_min_months = fields.Integer(required=True)
    age_max_months = fields.Integer(required=True)
    book_ahead_days = fields.Integer(required=True)
    min_notice_hours = fields.Integer(required=True)
    cancel_cutoff_hours = fields.Integer(required=True)


class OfferingListSchema(BaseSchema):
    items = fields.List(fields.Nested(OfferingSchema), required=True)
