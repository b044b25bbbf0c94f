"""Rounds of monthly places and applications for the 入托申请 tests: a nursery with a
full-day slot on every weekday of a month two months ahead, rounds and applications
through the real services."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from parentapp.models import Nursery, PlaceRound, User, utcnow
from parentapp.services.places import allocation, applications, rounds
from parentapp.timeutil import add_months, local_instant, local_today, month_of, month_range
from tests.booking_factories import make_offering, make_slot
from tests.factories import make_child, make_nursery, make_user


def target_month(now: datetime | None = None) -> str:
    """Two months ahead of ``now``: its rounds can close well before it starts."""
    return month_of(add_months(local_today(now or utcnow()).replace(day=1), 2))


def closes(month: str) -> datetime:
    """A closing time a week before the month starts (local midnight)."""
    return local_instant(month_range(month)[0] - timedelta(days=7), time(0))


def round_nursery(operator: User | None = None, *, capacity: int = 5, month: str | None = None,
                  **nursery_fields) -> Nursery:
    """A filed nursery with a full-day offering and a slot on each weekday of ``month``."""
    nursery = make_nursery(operator, **nursery_fields)
    # Far enough ahead that the whole month can be booked first-come (booking tests).
    make_offering(nursery, "full_day", book_ahead_days=120)
    first, last = month_range(month or target_month())
    day = first
    while day <= last:
        if day.isoweekday() <= 5:
            make_slot(nursery, "full_day", day, capacity=capacity)
        day += timedelta(days=1)
    return nursery


def open_round(nursery: Nursery, places: int, *, month: str | None = None,
               priority_rules=None, now: datetime | None = None) -> PlaceRound:
    month = month or target_month()
    return rounds.open_round(nursery.operator_id, nursery.id, month=month, care_type="full_day",
                             places=places, closes_at=closes(month), priority_rules=priority_rules,
                             now=now or utcnow())


def applicant(township: str | None = None, *, parent: User | None = None, **child_fields):
    """A parent (living in ``township``) and a child of 18 months."""
    parent = parent or make_user("parent", township=township)
    return parent, make_child(parent, **child_fields)


def apply_for(parent: User, child, nurseries: list[Nursery], *, month: str | None = None,
              now: datetime | None = None):
    return applications.apply(parent.id, child_id=child.id, month=month or target_month(),
                              care_type="full_day", choices=[n.id for n in nurseries],
                              now=now or utcnow())


def allocate(month: str | None = None, now: datetime | None = None) -> dict:
    month = month or target_month()
    return allocation.allocate_month(month, now or closes(month) + timedelta(minutes=1),
                                     offer_minutes=120)


def later_month(months: int) -> str:
    """``months`` after the target month."""
    return month_of(add_months(month_range(target_month())[0], months))


def offered_application(child, *, month: str, now: datetime | None = None):
    """An allocated round at a new nursery of ``month`` holding one place, and the child's
    application offered that place (written straight to the database)."""
    from parentapp.extensions import db
    from parentapp.models import Application, ApplicationChoice, Slot

    now = now or utcnow()
    nursery = round_nursery(month=month)
    place_round = PlaceRound(nursery_id=nursery.id, month=month, places=1, held=1,
                             closes_at=closes(month), priority_rules=["township", "siblings"],
                             seed="offered", status="allocated", created_at=now,
                             allocated_at=now)
    db.session.add(place_round)
    db.session.flush()
    db.session.execute(db.update(Slot).where(Slot.nursery_id == nursery.id)
                       .values(round_held=1))
    application = Application(
        child_id=child.id, month=month, status="offered", round_id=place_round.id,
        nursery_id=nursery.id, offered_at=now, offer_expires_at=now + timedelta(hours=48),
        created_at=now, updated_at=now,
        choices=[ApplicationChoice(rank=1, round_id=place_round.id, nursery_id=nursery.id,
                                   position=1)])
    db.session.add(application)
    db.session.commit()
    return application
