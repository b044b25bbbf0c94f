"""A new birth date must fit what is already recorded and booked for the child."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from parentapp.errors import InvalidState
from parentapp.extensions import db
from parentapp.models import Child, HealthRecord
from parentapp.services.booking.age_review import bookings_outside_ages
from parentapp.services.family.access import lock_child


def check_new_birth_date(child: Child, birth_date: date, today: date) -> None:
    """Refuse a birth date after a recorded dose or checkup, or one that leaves a booking
    from ``today`` on outside its offering's ages. Takes the child's lock, so a booking
    made meanwhile is checked against the date that wins (caller commits).

    Raises InvalidState with ``details``: ``field``, ``health_records`` (codes) and
    ``booking_ids``.
    """
    lock_child(child.id)
    records = list(db.session.scalars(
        select(HealthRecord.code).where(HealthRecord.child_id == child.id,
                                        HealthRecord.done_on < birth_date)
        .order_by(HealthRecord.code)))
    bookings = bookings_outside_ages(child.id, birth_date, today)
    if records or bookings:
        raise InvalidState(_message(records, bookings), details={
            "field": "birth_date", "health_records": records, "booking_ids": bookings})


def _message(records: list[str], bookings: list[int]) -> str:
    found = [part for part, present in (("有早于该日期的疫苗或体检记录", records),
                                        ("有已确认的预约不再符合托育年龄", bookings)) if present]
    return f"不能修改出生日期：{'，'.join(found)}。请先处理后再修改。"
