"""Pure booking rules: availability, time spans, licensed-place peaks, booking status."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from parentapp.errors import SlotsNotBookableTogether, ValidationFailed
from parentapp.models import Offering, Slot
from parentapp.models.booking import status_of
from parentapp.services.booking.availability import availability
from parentapp.services.booking.rules import check_together
from parentapp.services.nurseries.licensed_places import peak_on
from parentapp.services.nurseries.slots import slot_times
from parentapp.timeutil import local_instant

DAY = date(2026, 12, 7)  # a Monday
HOURS = {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"], "pm": ["14:00", "17:30"]}


def slot(care_type="full_day", start=time(8), end=time(17, 30), day=DAY, nursery_id=1,
         capacity=5, booked=0, held=0, status="open", slot_id=1):
    return Slot(id=slot_id, nursery_id=nursery_id, care_type=care_type, date=day,
                start_time=start, end_time=end, capacity=capacity, booked=booked, held=held,
                round_held=0,
                status=status)


def offering(book_ahead_days=62, min_notice_hours=12):
    return Offering(care_type="full_day", price_fen=100, age_min_months=0, age_max_months=36,
                    book_ahead_days=book_ahead_days, min_notice_hours=min_notice_hours,
                    cancel_cutoff_hours=24)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_instant(day, time(hour, minute))


@pytest.mark.parametrize(("changes", "now", "remaining", "blocker"), [
    ({}, at(DAY, 8) - timedelta(hours=12), 5, None),
    ({}, at(DAY, 8) - timedelta(hours=12) + timedelta(seconds=1), 5, "too_late"),
    ({}, at(DAY - timedelta(days=62), 0), 5, None),
    ({}, at(DAY - timedelta(days=63), 23, 59), 5, "too_early"),
    ({"booked": 3, "held": 2}, at(DAY, 0) - timedelta(days=1), 0, "full"),
    ({"booked": 5, "capacity": 4}, at(DAY, 0) - timedelta(days=1), 0, "full"),
    ({"status": "closed", "booked": 5}, at(DAY, 0) - timedelta(days=1), 0, "closed"),
])
def test_availability_is_one_answer(changes, now, remaining, blocker):
    answer = availability(slot(**changes), offering(), now)
    assert (answer.remaining, answer.blocker, answer.bookable) == (
        remaining, blocker, blocker is None)


def test_a_held_place_is_bookable_by_its_family_only():
    full = slot(booked=4, held=1)
    now = at(DAY, 0) - timedelta(days=2)
    assert availability(full, offering(), now).blocker == "full"
    assert availability(full, offering(), now, own_holds=1).remaining == 1


@pytest.mark.parametrize(("care_type", "parts", "expected"), [
    ("full_day", [], [(time(8), time(17, 30))]),
    ("temporary", [], [(time(8), time(17, 30))]),
    ("half_day", ["am", "pm"], [(time(8), time(12)), (time(14), time(17, 30))]),
    ("hourly", [], [(time(h), time(h + 1)) for h in range(8, 17)]),
])
def test_slot_times_follow_the_opening_hours(care_type, parts, expected):
    assert slot_times(HOURS, care_type, parts) == expected


def test_half_days_need_the_part_in_the_opening_hours():
    with pytest.raises(ValidationFailed):
        slot_times({"day": ["08:00", "12:00"]}, "half_day", ["pm"])


@pytest.mark.parametrize(("spans", "expected"), [
    ([], (None, 0)),
    ([(time(8), time(17, 30), 10), (time(8), time(12), 5)], (time(8), 15)),
    ([(time(8), time(12), 5), (time(14), time(17, 30), 5)], (time(8), 5)),
    ([(time(8), time(9), 5), (time(9), time(10), 5)], (time(8), 5)),  # back to back
    ([(time(8), time(12), 5), (time(11), time(12), 3), (time(14), time(15), 7)],
     (time(11), 8)),
])
def test_the_peak_counts_only_slots_in_force_together(spans, expected):
    assert peak_on(spans) == expected


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], None),
    (["confirmed", "completed"], "confirmed"),
    (["checked_in", "confirmed"], "checked_in"),
    (["no_show", "no_show"], "no_show"),
    (["completed", "no_show"], "completed"),
])
def test_a_bookings_status_comes_from_its_active_slots(statuses, expected):
    assert status_of(statuses) == expected


@pytest.mark.parametrize(("slots", "reason"), [
    ([slot(slot_id=1), slot(slot_id=2, nursery_id=2)], "nurseries"),
    ([slot(slot_id=1), slot("half_day", time(8), time(12), slot_id=2)], "care_types"),
    ([slot("temporary", slot_id=1), slot("temporary", day=DAY + timedelta(days=1),
                                         slot_id=2)], "temporary_dates"),
    ([slot("hourly", time(8), time(9), slot_id=1),
      slot("hourly", time(10), time(11), slot_id=2)], "hourly_gap"),
])
def test_slots_that_do_not_go_together(slots, reason):
    with pytest.raises(SlotsNotBookableTogether) as raised:
        check_together(slots)
    assert raised.value.details == {"reason": reason}


def test_consecutive_hours_in_any_order_go_together():
    hours = [slot("hourly", time(h), time(h + 1), slot_id=h) for h in (10, 8, 9)]
    check_together(hours)
