"""Offerings, slots and bookings for the booking tests, written straight to the database
(make_*) or through the real services (book)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from parentapp.extensions import db
from parentapp.models import Booking, Nursery, Offering, Slot, User, utcnow
from parentapp.service_settings import limit, offer_minutes
from parentapp.services.booking import bookings as booking_service
from parentapp.services.nurseries.offerings import default_terms
from parentapp.timeutil import local_today
from tests.factories import make_child, make_nursery, make_user

DAY_HOURS = (time(8), time(17, 30))
PART_HOURS = {"am": (time(8), time(12)), "pm": (time(14), time(17, 30))}


def today() -> date:
    return local_today(utcnow())


def in_days(n: int) -> date:
    return today() + timedelta(days=n)


def make_offering(nursery: Nursery, care_type: str = "full_day", **overrides) -> Offering:
    fields = {**default_terms(care_type), "price_fen": 15000, "nursery_id": nursery.id,
              "care_type": care_type, "updated_at": utcnow(), **overrides}
    offering = Offering(**fields)
    db.session.add(offering)
    db.session.commit()
    return offering


def slot_hours(care_type: str, part: str = "am", hour: int = 9) -> tuple[time, time]:
    if care_type == "half_day":
        return PART_HOURS[part]
    if care_type == "hourly":
        return time(hour), time(hour + 1)
    return DAY_HOURS


def make_slot(nursery: Nursery, care_type: str = "full_day", day: date | None = None,
              capacity: int = 5, part: str = "am", hour: int = 9, **overrides) -> Slot:
    start, end = slot_hours(care_type, part, hour)
    fields = {"nursery_id": nursery.id, "care_type": care_type, "date": day or in_days(3),
              "start_time": start, "end_time": end, "capacity": capacity, "booked": 0,
              "held": 0, "status": "open", "created_at": utcnow(), "updated_at": utcnow(),
              **overrides}
    slot = Slot(**fields)
    db.session.add(slot)
    db.session.commit()
    return slot


def make_slots(nursery: Nursery, care_type: str = "full_day", days: int = 1, start: int = 3,
               **overrides) -> list[Slot]:
    return [make_slot(nursery, care_type, in_days(start + n), **overrides) for n in range(days)]


def make_hours(nursery: Nursery, day: date, first: int = 8, count: int = 9,
               capacity: int = 5) -> list[Slot]:
    return [make_slot(nursery, "hourly", day, capacity=capacity, hour=first + n)
            for n in range(count)]


def setup_nursery(care_type: str = "full_day", operator: User | None = None,
                  **offering_overrides) -> tuple[Nursery, Offering]:
    nursery = make_nursery(operator)
    return nursery, make_offering(nursery, care_type, **offering_overrides)


def book(parent: User, slots: list[Slot], child=None, now: datetime | None = None) -> Booking:
    """A real booking through the service (a new child of ``parent`` by default)."""
    child = child or make_child(parent)
    return booking_service.book_slots(parent.id, child.id, [s.id for s in slots], note=None,
                                      now=now or utcnow(), offer_minutes=offer_minutes(),
                                      future_slots_per_child=limit("future_slots_per_child"))


def fill(slot: Slot, now: datetime | None = None) -> list[Booking]:
    """Book every place of ``slot`` with new families."""
    return [book(make_user("parent"), [slot], now=now) for _ in range(slot.capacity)]


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)
