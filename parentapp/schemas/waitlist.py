"""Waitlist entries."""

from parentapp.domain import WaitlistStatus
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, value_range
from parentapp.schemas.booked_by import BOOKED_BY_DOC, BookedBySchema
from parentapp.schemas.fields import LocalDateTime
from parentapp.schemas.slots import SlotBriefSchema


class WaitlistJoinSchema(BaseSchema):
    child_id = fields.Integer(required=True, strict=True)


class WaitlistQuerySchema(PageQuerySchema):
    child_id = fields.Integer(validate=value_range(1, 2**31 - 1), metadata={
        "description": "only this child's entries (404 when it is not one of yours)"})


class WaitlistJoinedSchema(BaseSchema):
    id = fields.Integer(attribute="entry.id", required=True)
    position = fields.Integer(attribute="position", required=True)
    status = fields.String(attribute="entry.status", required=True)
    slot_id = fields.Integer(attribute="entry.slot_id")
    child_id = fields.Integer(attribute="entry.child_id")
    booked_by = fields.Nested(BookedBySchema, required=True, metadata=BOOKED_BY_DOC)


class WaitlistEntrySchema(BaseSchema):
    id = fields.Integer(attribute="entry.id", required=True)
    slot_id = fields.Integer(attribute="entry.slot_id", required=True)
    child_id = fields.Integer(attribute="entry.child_id", required=True)
    status = fields.String(attribute="entry.status", required=True,
                           metadata={"enum": list(WaitlistStatus.values())})
    position = fields.Integer(attribute="position", allow_none=True, required=True,
                              metadata={"description": "among waiting entries, from 1"})
    offer_expires_at = LocalDateTime(attribute="entry.offer_expires_at", allow_none=True,
                                     required=True)
    booking_id = fields.Integer(attribute="entry.booking_id", allow_none=True)
    booked_by = fields.Nested(BookedBySchema, required=True, metadata=BOOKED_BY_DOC)
    created_at = LocalDateTime(attribute="entry.created_at")
    slot = fields.Nested(SlotBriefSchema, attribute="entry.slot")
