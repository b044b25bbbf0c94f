from datetime import time

import pytest

from parentapp.models import Booking, Slot
from parentapp.timeutil import local_instant
from tests.booking_factories import book, fresh, in_days, make_slot, setup_nursery, today
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import make_child, make_user


def _calendar(client, nursery, day):
    return f"/console/nurseries/{nursery.id}/calendar?month={day:%Y-%m}&care_type=full_day"


def _change(client, nursery, slot, **form):
    back = _calendar(client, nursery, slot.date)
    return client.post(f"/console/slots/{slot.id}", data={
        "csrf_token": csrf(client, back), "back": back, **form}, follow_redirects=True)


def test_operator_sees_own_nurseries_and_a_month_of_slots(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator)
    slot = make_slot(nursery, day=in_days(3), capacity=6)
    book(make_user("parent"), [slot])
    assert nursery.name in client.get("/console/nurseries").get_data(as_text=True)
    page = client.get(_calendar(client, nursery, slot.date)).get_data(as_text=True)
    assert f'data-slot="{slot.id}"' in page and "1/6" in page


def test_changing_capacity_from_the_calendar_uses_the_slot_rules(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator)
    slot = make_slot(nursery, day=in_days(3), capacity=6)
    book(make_user("parent"), [slot])
    assert "时段已更新。" in _change(client, nursery, slot, capacity="9").get_data(as_text=True)
    assert fresh(Slot, slot.id).capacity == 9


@pytest.mark.parametrize(("capacity", "message"), [
    ("0", "名额不能少于已预约（含候补保留）的人数。"), ("abc", "应为整数。"),
    ("-1", "应在 0 到 1000 之间。"), ("5000", "应在 0 到 1000 之间。")])
def test_bad_capacities_are_refused_in_words_and_change_nothing(client, capacity, message):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator)
    slot = make_slot(nursery, day=in_days(3), capacity=6)
    book(make_user("parent"), [slot])
    page = _change(client, nursery, slot, capacity=capacity).get_data(as_text=True)
    assert "时段已更新。" not in page
    assert message in page
    assert fresh(Slot, slot.id).capacity == 6


def test_closing_a_slot_from_the_calendar_cancels_it_for_families(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator)
    slot = make_slot(nursery, day=in_days(3))
    booking = book(make_user("parent"), [slot])
    _change(client, nursery, slot, status="closed")
    assert fresh(Slot, slot.id).status == "closed"
    assert fresh(Booking, booking.id).status == "cancelled_by_nursery"


def test_another_operators_nursery_is_not_found(client):
    signed_in_client(client, "operator")
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3))
    for page_name in ("calendar", "roster"):
        response = client.get(f"/console/nurseries/{nursery.id}/{page_name}")
        assert response.status_code == 404
        assert "没有找到这家托育机构。" in response.get_data(as_text=True)
    page = _change(client, nursery, slot, capacity="1").get_data(as_text=True)
    assert "没有找到" in page
    assert fresh(Slot, slot.id).capacity == 5


def test_roster_check_in_and_check_out(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    slot = make_slot(nursery, day=today(), capacity=3)
    parent = make_user("parent")
    early = local_instant(today(), time(6))  # booked before the day's slot started
    booking = book(parent, [slot], child=make_child(parent, name="小禾"), now=early)
    url = f"/console/nurseries/{nursery.id}/roster?date={today()}"
    page = client.get(url).get_data(as_text=True)
    assert "小禾" in page and f'data-booking="{booking.id}"' in page

    def act(action):
        return client.post(f"/console/bookings/{booking.id}/{action}", data={
            "csrf_token": csrf(client, url), "date": today().isoformat(), "back": url},
            follow_redirects=True).get_data(as_text=True)

    assert "签到之后才能签退。" in act("check_out")
    assert "已签到。" in act("check_in")
    assert fresh(Booking, booking.id).status == "checked_in"
    assert "已签退。" in act("check_out")
    assert fresh(Booking, booking.id).status == "completed"


def test_regulators_cannot_open_operator_pages(client):
    signed_in_client(client, "regulator")
    response = client.get("/console/nurseries")
    assert response.status_code == 403
    assert "当前账号无权访问此页面。" in response.get_data(as_text=True)
