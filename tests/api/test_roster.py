"""The operator's day: roster, check-in, check-out, no-show."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from parentapp.errors import InvalidState
from parentapp.models import Booking, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking import roster
from parentapp.services.booking.cancellation import cancel_booking
from parentapp.timeutil import add_months, local_instant
from tests.asserts import assert_error
from tests.booking_factories import book, fresh, in_days, make_hours, make_slot, setup_nursery
from tests.factories import make_child, make_user


def roster_of(client, headers, nursery_id, day, **query):
    return client.get(f"/api/v1/operator/nurseries/{nursery_id}/roster",
                      query_string={"date": day.isoformat(), **query}, headers=headers)


def attend(client, headers, booking_id, action, day=None):
    body = {} if day is None else {"date": day.isoformat()}
    return client.post(f"/api/v1/operator/bookings/{booking_id}/{action}", headers=headers,
                       json=body)


def test_the_roster_lists_the_days_children_with_age_and_care_type(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    day = in_days(4)
    slot = make_slot(nursery, day=day)
    parent = make_user("parent")
    child = make_child(parent, name="小雨", birth_date=add_months(day, -20), gender="female")
    booking = book(parent, [slot], child=child)
    response = roster_of(client, headers, nursery.id, day)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item == {"booking_id": booking.id, "date": day.isoformat(), "status": "confirmed",
                    "booking_status": "confirmed", "care_type": "full_day",
                    "child": {"id": child.id, "name": "小雨", "gender": "female",
                              "age_months": 20},
                    "slots": [{"id": slot.id, "start": "08:00", "end": "17:30",
                               "status": "confirmed"}],
                    "note": None, "pickup_list": [], "picked_up_by": None}
    assert roster_of(client, headers, nursery.id, day + timedelta(days=1)).get_json()[
        "items"] == []


def test_cancelled_bookings_leave_the_roster_unless_asked_for(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    slot = make_slot(nursery, day=in_days(4))
    parent = make_user("parent")
    booking = book(parent, [slot])
    cancel_booking(parent.id, booking.id, None, utcnow(), offer_minutes=offer_minutes())
    assert roster_of(client, headers, nursery.id, in_days(4)).get_json()["total"] == 0
    shown = roster_of(client, headers, nursery.id, in_days(4), include_cancelled="true")
    assert shown.get_json()["items"][0]["status"] == "cancelled"


def test_hourly_bookings_are_ordered_by_start(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("hourly", operator)
    hours = make_hours(nursery, in_days(2), first=8, count=4)
    late = book(make_user("parent"), hours[2:])
    early = book(make_user("parent"), hours[:2])
    items = roster_of(client, headers, nursery.id, in_days(2)).get_json()["items"]
    assert [i["booking_id"] for i in items] == [early.id, late.id]
    assert [s["start"] for s in items[0]["slots"]] == ["08:00", "09:00"]


def test_check_in_then_check_out(auth, db):
    operator, _ = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0)
    slot = make_slot(nursery, day=in_days(1))
    booking = book(make_user("parent"), [slot])
    now = slot.starts_at() + timedelta(minutes=5)
    with_roster = roster.mark_attendance(operator.id, booking.id, action="check_in", day=None,
                                         now=now)
    assert with_roster.status == "checked_in"
    assert fresh(Booking, booking.id).status == "checked_in"
    done = roster.mark_attendance(operator.id, booking.id, action="check_out", day=None, now=now)
    assert done.status == "completed" and fresh(Booking, booking.id).status == "completed"


@pytest.mark.parametrize(("action", "offset", "code"), [
    ("check-in", 3, "attendance_not_today"), ("check-out", 3, "attendance_not_today"),
    ("check-in", -2, "attendance_not_today"), ("check-out", -2, "attendance_not_today"),
    ("no-show", 3, "invalid_state")])  # not started yet
def test_attendance_on_another_day_than_today_is_refused(client, auth, action, offset, code):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0)
    slot = make_slot(nursery, day=in_days(offset))
    booking = book(make_user("parent"), [slot], now=local_instant(slot.date, time(6)))
    error = assert_error(attend(client, headers, booking.id, action, in_days(offset)), 409, code)
    if code == "attendance_not_today":
        assert error["details"] == {"date": in_days(offset).isoformat(),
                                    "today": in_days(0).isoformat()}
        assert in_days(0).isoformat() in error["message"]
    else:
        assert error["message"] == "时段 08:00 开始之后才能标记未到。"
    assert fresh(Booking, booking.id).status == "confirmed"


def test_attendance_today_on_a_booking_without_a_slot_today_is_refused(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    booking = book(make_user("parent"), [make_slot(nursery, day=in_days(3))])
    assert_error(attend(client, headers, booking.id, "check-in"), 409, "invalid_state")


def test_no_check_out_before_check_in_and_no_check_in_when_cancelled(auth):
    operator, _ = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0, cancel_cutoff_hours=0)
    slot = make_slot(nursery, day=in_days(1))
    parent = make_user("parent")
    booking = book(parent, [slot])
    now = slot.starts_at() + timedelta(minutes=1)
    _refused(operator.id, booking.id, "check_out", now)
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=None, now=now)
    _refused(operator.id, booking.id, "check_in", now)
    _refused(operator.id, booking.id, "no_show", now)
    other = book(make_user("parent"), [slot])
    cancel_booking(other.parent_id, other.id, None, slot.starts_at() - timedelta(hours=1),
                   offer_minutes=offer_minutes())
    _refused(operator.id, other.id, "check_in", now)


def _refused(operator_id, booking_id, action, now):
    with pytest.raises(InvalidState):
        roster.mark_attendance(operator_id, booking_id, action=action, day=None, now=now)


def test_no_show_only_once_the_slot_has_started(auth):
    operator, _ = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0)
    slot = make_slot(nursery, day=in_days(1))
    booking = book(make_user("parent"), [slot])
    _refused(operator.id, booking.id, "no_show", slot.starts_at() - timedelta(minutes=1))
    marked = roster.mark_attendance(operator.id, booking.id, action="no_show", day=None,
                                    now=slot.starts_at() + timedelta(minutes=30))
    assert marked.status == "no_show" and fresh(Booking, booking.id).status == "no_show"


def test_a_month_booking_is_checked_in_day_by_day(auth):
    operator, _ = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    slots = [make_slot(nursery, day=in_days(n)) for n in (3, 4)]
    booking = book(make_user("parent"), slots)
    first_day = slots[0].starts_at()
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=slots[0].date,
                           now=first_day)
    roster.mark_attendance(operator.id, booking.id, action="check_out", day=slots[0].date,
                           now=first_day)
    row = fresh(Booking, booking.id)
    assert [s.status for s in row.slots] == ["completed", "confirmed"]
    assert row.status == "confirmed"  # the second day is still ahead


def test_operators_only_see_their_own_nurseries(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    booking = book(make_user("parent"), [slot])
    _, headers = auth.operator()
    assert_error(roster_of(client, headers, nursery.id, slot.date), 404, "not_found")
    assert_error(attend(client, headers, booking.id, "check-in"), 404, "not_found")
    assert_error(attend(client, headers, 999999, "check-in"), 404, "not_found")
    _, parent_headers = auth.parent()
    assert_error(roster_of(client, parent_headers, nursery.id, slot.date), 403, "forbidden")


def test_a_deleted_child_leaves_a_nameless_line(client, auth, db):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0)
    slot = make_slot(nursery, day=in_days(1))
    parent = make_user("parent")
    child = make_child(parent)
    booking = book(parent, [slot], child=child)
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=slot.date,
                           now=slot.starts_at())
    db.session.delete(db.session.get(type(child), child.id))
    db.session.commit()
    [item] = roster_of(client, headers, nursery.id, slot.date).get_json()["items"]
    assert item["child"] is None and item["status"] == "checked_in"
