"""Which of a child's confirmed bookings a new birth date would leave outside their ages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select

from parentapp.domain import BookingStatus
from parentapp.extensions import db
from parentapp.models import BookingSlot, Offering, Slot
from parentapp.services.booking.rules import fits_age

# Places still to be taken up or being taken up now; past ones are history.
_HELD = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def bookings_outside_ages(child_id: int, birth_date: date, today: date) -> list[int]:
    """Ids of bookings holding a slot from ``today`` on that a child born on ``birth_date``
    would not fit, by the same rule as booking (``rules.fits_age``)."""
    rows = db.session.execute(
        select(BookingSlot.booking_id, Slot.date, Offering)
        .join(Slot, Slot.id == BookingSlot.slot_id)
        .join(Offering, and_(Offering.nursery_id == Slot.nursery_id,
                             Offering.care_type == Slot.care_type))
        .where(BookingSlot.child_id == child_id, BookingSlot.status.in_(_HELD),
               Slot.date >= today))
    return sorted({booking_id for booking_id, day, offering in rows
                   if not fits_age(offering, birth_date, day)})
