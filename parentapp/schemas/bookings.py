"""Bookings as families and nurseries see them."""

from parentapp.domain import BookingStatus
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, length, one_of, value_range
from parentapp.schemas.booked_by import BOOKED_BY_DOC, BookedBySchema
from parentapp.schemas.fields import LocalDateTime
from parentapp.schemas.pickup import MaskedPickupPersonSchema
from parentapp.schemas.slots import HourMinute, items, unique
from parentapp.services.booking.cancellation import cancel_deadline
from parentapp.timeutil import to_local_iso

MAX_SLOTS_PER_BOOKING = 124  # 62 days of am and pm half days


class BookingCreateSchema(BaseSchema):
    child_id = fields.Integer(required=True, strict=True)
    slot_ids = fields.List(fields.Integer(strict=True), required=True,
                           validate=[items(1, MAX_SLOTS_PER_BOOKING), unique])
    note = fields.Text(multiline=True, blank=True, validate=length(max=200), allow_none=True)


class BookingCancelSchema(BaseSchema):
    slot_ids = fields.List(fields.Integer(strict=True),
                           validate=[items(1, MAX_SLOTS_PER_BOOKING), unique],
                           metadata={"description": "default: every slot still booked"})


class BookingQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(BookingStatus.values()))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    child_id = fields.Integer(validate=value_range(1, 2**31 - 1), metadata={
        "description": "only this child's bookings (404 when it is not one of yours)"})


_INSTANT_OR_NULL = {"type": "string", "format": "date-time", "nullable": True}


def _cancellable_until(booking_slot):
    if booking_slot.status != "confirmed":
        return None
    return cancel_deadline(booking_slot.slot, booking_slot.booking.cancel_cutoff_hours)


class BookedSlotSchema(BaseSchema):
    id = fields.Integer(attribute="slot_id", required=True)
    date = fields.Date(attribute="slot.date", required=True)
    start = HourMinute(attribute="slot.start_time", required=True)
    end = HourMinute(attribute="slot.end_time", required=True)
    status = fields.String(required=True, metadata={"enum": list(BookingStatus.values())})
    price_fen = fields.Integer(required=True)
    cancellable_until = fields.Method("_until", metadata=_INSTANT_OR_NULL)

    def _until(self, booking_slot):
        return to_local_iso(_cancellable_until(booking_slot))


class BookingSchema(BaseSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(BookingStatus.values())})
    child_id = fields.Integer(allow_none=True, required=True)
    nursery_id = fields.Integer(required=True)
    care_type = fields.String(required=True)
    slots = fields.List(fields.Nested(BookedSlotSchema), required=True)
    price_fen = fields.Integer(required=True)
    note = fields.String(allow_none=True)
    booked_by = fields.Nested(BookedBySchema, required=True, metadata=BOOKED_BY_DOC)
    created_at = LocalDateTime(required=True)
    cancellable_until = fields.Method(
        "_until", metadata={**_INSTANT_OR_NULL,
                            "description": "until when every booked slot can still be cancelled"})

    def _until(self, booking):
        deadlines = [d for d in map(_cancellable_until, booking.slots) if d is not None]
        return to_local_iso(min(deadlines) if deadlines else None)


def new_booking_item(booking, slots) -> dict:
    """What ``BookingSchema`` dumps for a booking just made (every slot confirmed), built
    from the rows the booking loaded instead of reading them again: the answer the
    Idempotency-Key stores. Same keys and formats (tests/api/test_booking_answer.py holds
    them equal)."""
    deadlines = [cancel_deadline(slot, booking.cancel_cutoff_hours) for slot in slots]
    price = booking.price_fen // len(slots)
    return {
        "id": booking.id, "status": booking.status, "child_id": booking.child_id,
        "nursery_id": booking.nursery_id, "care_type": booking.care_type,
        "slots": [{"id": slot.id, "date": slot.date.isoformat(),
                   "start": slot.start_time.isoformat("minutes"),
                   "end": slot.end_time.isoformat("minutes"),
                   "status": BookingStatus.CONFIRMED, "price_fen": price,
                   "cancellable_until": to_local_iso(deadline)}
                  for slot, deadline in zip(slots, deadlines, strict=True)],
        "price_fen": booking.price_fen, "note": booking.note, "booked_by": booking.booked_by,
        "created_at": to_local_iso(booking.created_at),
        "cancellable_until": to_local_iso(min(deadlines))}


class RosterQuerySchema(PageQuerySchema):
    date = fields.Date(metadata={"description": "default today (Asia/Shanghai)"})
    include_cancelled = fields.Boolean(load_default=False)


class RosterSlotSchema(BaseSchema):
    id = fields.Integer(attribute="slot_id", required=True)
    start = HourMinute(attribute="slot.start_time", required=True)
    end = HourMinute(attribute="slot.end_time", required=True)
    status = fields.String(required=True)


class RosterChildSchema(BaseSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    age_months = fields.Integer(required=True, metadata={"description": "on the roster date"})


class RosterEntrySchema(BaseSchema):
    booking_id = fields.Integer(attribute="booking.id", required=True)
    date = fields.Date(attribute="day", required=True)
    status = fields.String(required=True, metadata={"description": "the booking on this date"})
    booking_status = fields.String(attribute="booking.status", required=True)
    care_type = fields.String(attribute="booking.care_type", required=True)
    child = fields.Method("_child", allow_none=True, required=True,
                          metadata={"type": "object", "nullable": True,
                                    "description": "null once the family deleted the child"})
    slots = fields.List(fields.Nested(RosterSlotSchema), required=True)
    note = fields.String(attribute="booking.note", allow_none=True)
    pickup_list = fields.List(fields.Nested(MaskedPickupPersonSchema), attribute="pickup",
                              required=True, metadata={
                                  "description": "who may collect the child, phones masked; "
                                                 "[] when the child has no list"})
    picked_up_by = fields.String(allow_none=True, required=True, metadata={
        "description": "who collected the child this day (set at check-out)"})

    def _child(self, entry):
        if entry.child is None:
            return None
        return RosterChildSchema().dump({"id": entry.child.id, "name": entry.child.name,
                                         "gender": entry.child.gender,
                                         "age_months": entry.age_months})


class AttendanceSchema(BaseSchema):
    date = fields.Date(metadata={"description": "default today; the booking's slots that day"})


class CheckOutSchema(AttendanceSchema):
    picked_up_by = fields.Text(validate=length(1, 20), allow_none=True, metadata={
        "description": "who collects the child: a name on the child's pickup list when it "
                       "has one (compared after trimming); else optional. null is missing."})
