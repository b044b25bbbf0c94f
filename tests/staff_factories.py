"""Staff, duty and children present at a moment, for the staff and ratio tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import Booking, BookingSlot, Nursery, Slot, StaffDuty, StaffMember, utcnow
from parentapp.timeutil import add_months, local_today
from tests.booking_factories import make_slot
from tests.factories import make_child, make_user

_phones = iter(range(13_900_000_000, 13_999_999_999))


def next_phone() -> str:
    return str(next(_phones))


def make_staff(nursery: Nursery, role: str = "carer", **overrides) -> StaffMember:
    fields = {"nursery_id": nursery.id, "name": "李老师", "phone": next_phone(), "role": role,
              "created_at": utcnow(), "updated_at": utcnow(), **overrides}
    staff = StaffMember(**fields)
    db.session.add(staff)
    db.session.commit()
    return staff


def on_duty(staff: StaffMember, since: datetime, until: datetime | None = None) -> StaffDuty:
    duty = StaffDuty(staff_id=staff.id, nursery_id=staff.nursery_id, checked_in_at=since,
                     checked_out_at=until)
    db.session.add(duty)
    db.session.commit()
    return duty


def child_present(nursery: Nursery, months: int, since: datetime,
                  until: datetime | None = None, slot=None):
    """A child ``months`` old on ``since``'s day, checked in at ``since`` on a slot of that
    day (checked out at ``until``, if given)."""
    day = local_today(since)
    slot = slot or db.session.scalar(select(Slot).where(
        Slot.nursery_id == nursery.id, Slot.date == day)) or make_slot(
        nursery, day=day, capacity=200)
    parent = make_user("parent")
    child = make_child(parent, birth_date=add_months(day, -months))
    booking = Booking(parent_id=parent.id, child_id=child.id, nursery_id=nursery.id,
                      care_type=slot.care_type, price_fen=0, cancel_cutoff_hours=0,
                      status="checked_in" if until is None else "completed")
    booking.slots = [BookingSlot(slot_id=slot.id, child_id=child.id, price_fen=0,
                                 status=booking.status, checked_in_at=since,
                                 changed_at=until or since)]
    slot.booked += 1
    db.session.add(booking)
    db.session.commit()
    return child, slot
