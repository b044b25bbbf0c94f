"""Booked children, morning checks and illness absences, for the alert tests."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import Booking, Nursery, Slot
from parentapp.timeutil import local_instant
from tests.booking_factories import book, make_slot
from tests.factories import make_child, make_user

MORNING = time(9, 0)


def booked_child(nursery: Nursery, day: date) -> Booking:
    """A new family's child booked on the nursery's full-day slot of ``day``."""
    slot = db.session.scalar(select(Slot).where(
        Slot.nursery_id == nursery.id, Slot.date == day)) or make_slot(
        nursery, day=day, capacity=200)
    parent = make_user("parent")
    child = make_child(parent, now=local_instant(day, MORNING))
    return book(parent, [slot], child=child, now=slot.starts_at() - timedelta(days=1))


def morning(day: date):
    """09:00 in Shizhu on ``day`` (the slots start at 08:00)."""
    return local_instant(day, MORNING)
