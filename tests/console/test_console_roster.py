"""The console's day roster: the family's note, check-in and check-out offered (and done)
only on today's roster, a no-show only once the slot has started, and day-to-day links."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from parentapp.console import roster_pages
from parentapp.models import Booking
from parentapp.service_settings import limit, offer_minutes
from parentapp.services.booking import bookings as booking_service
from parentapp.timeutil import local_instant
from tests.asserts import assert_error
from tests.booking_factories import fresh, in_days, make_slot, setup_nursery, today
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import bearer, make_child, make_user

NOTE = "孩子对牛奶过敏，午睡前要抱一会儿。"


def _booked(client, offset: int, note: str | None = None):
    """The signed-in operator's nursery with a full-day booking ``offset`` days from
    today (08:00-17:30), booked at 06:00 that day; returns (operator, nursery, booking)."""
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    slot = make_slot(nursery, day=in_days(offset))
    parent = make_user("parent")
    child = make_child(parent, name="小禾")
    booking = booking_service.book_slots(
        parent.id, child.id, [slot.id], note=note, now=local_instant(slot.date, time(6)),
        offer_minutes=offer_minutes(), future_slots_per_child=limit("future_slots_per_child"))
    return operator, nursery, booking


def _url(nursery, day) -> str:
    return f"/console/nurseries/{nursery.id}/roster?date={day.isoformat()}"


def _row(page: str, booking_id: int) -> str:
    return re.search(rf'<tr data-booking="{booking_id}">(.*?)</tr>', page, re.S).group(1)


def _act(client, booking_id, action, url, day):
    return client.post(f"/console/bookings/{booking_id}/{action}", data={
        "csrf_token": csrf(client, url), "date": day.isoformat(), "back": url},
        follow_redirects=True).get_data(as_text=True)


def _at(monkeypatch, instant: datetime) -> None:
    """The console's clock (the roster page and its actions) at ``instant``."""
    monkeypatch.setattr(roster_pages, "utcnow", lambda: instant)


def test_the_familys_note_is_shown_on_its_line(client):
    _, nursery, booking = _booked(client, 2, note=NOTE)
    page = client.get(_url(nursery, in_days(2))).get_data(as_text=True)
    assert f'<td data-label="家长备注" class="note">{NOTE}</td>' in _row(page, booking.id)
    assert "<th>家长备注</th>" in page


def test_a_line_without_a_note_says_so(client):
    _, nursery, booking = _booked(client, 2)
    row = _row(client.get(_url(nursery, in_days(2))).get_data(as_text=True), booking.id)
    assert '<td data-label="家长备注" class="note"><span class="muted">无</span></td>' in row


def test_a_future_day_offers_no_attendance_and_a_post_is_refused(client):
    _, nursery, booking = _booked(client, 3)
    url = _url(nursery, in_days(3))
    page = client.get(url).get_data(as_text=True)
    row = _row(page, booking.id)
    assert "check_in" not in row and "no_show" not in row and "check_out" not in row
    assert 'id="not-today"' in page and f"当天（{today().isoformat()}）办理" in page
    # A hand-made POST meets the service's refusal, shown as an error; nothing changes.
    refused = _act(client, booking.id, "check_in", url, in_days(3))
    assert (f"只能在当天签到或签退：今天是 {today():%Y-%m-%d}，不能为 {in_days(3):%Y-%m-%d} 办理。"
            in refused)
    assert 'class="flash error"' in refused
    assert fresh(Booking, booking.id).status == "confirmed"


def test_the_api_refuses_a_future_check_in_too(client):
    operator, _, booking = _booked(client, 3)
    response = client.post(f"/api/v1/operator/bookings/{booking.id}/check-in",
                           json={"date": in_days(3).isoformat()}, headers=bearer(operator))
    error = assert_error(response, 409, "attendance_not_today")
    assert error["details"] == {"date": in_days(3).isoformat(), "today": today().isoformat()}
    assert fresh(Booking, booking.id).status == "confirmed"


def test_a_past_day_offers_only_the_no_show(client):
    _, nursery, booking = _booked(client, -1)
    url = _url(nursery, in_days(-1))
    row = _row(client.get(url).get_data(as_text=True), booking.id)
    assert 'class="no_show secondary">未到</button>' in row
    assert "check_in" not in row
    refused = _act(client, booking.id, "check_in", url, in_days(-1))
    assert "只能在当天签到或签退" in refused
    assert "已标记未到。" in _act(client, booking.id, "no_show", url, in_days(-1))
    assert fresh(Booking, booking.id).status == "no_show"


def test_today_before_the_start_offers_check_in_but_no_no_show(client, monkeypatch):
    _, nursery, booking = _booked(client, 0)
    _at(monkeypatch, local_instant(today(), time(7, 30)))
    url = _url(nursery, today())
    row = _row(client.get(url).get_data(as_text=True), booking.id)
    assert 'class="check_in">签到</button>' in row and "no_show" not in row
    refused = _act(client, booking.id, "no_show", url, today())
    assert "时段 08:00 开始之后才能标记未到。" in refused
    assert fresh(Booking, booking.id).status == "confirmed"
    # Once the slot has started, both are offered; check-in leaves only the check-out.
    _at(monkeypatch, local_instant(today(), time(8, 30)))
    row = _row(client.get(url).get_data(as_text=True), booking.id)
    assert 'class="check_in">签到</button>' in row and "no_show" in row
    assert "已签到。" in _act(client, booking.id, "check_in", url, today())
    row = _row(client.get(url).get_data(as_text=True), booking.id)
    assert "check_out" in row and "check_in" not in row and "no_show" not in row
    assert fresh(Booking, booking.id).status == "checked_in"


def test_the_api_refuses_a_no_show_before_the_start(client):
    operator, _, booking = _booked(client, 1)
    response = client.post(f"/api/v1/operator/bookings/{booking.id}/no-show",
                           json={"date": in_days(1).isoformat()}, headers=bearer(operator))
    error = assert_error(response, 409, "invalid_state")
    assert error["message"] == "时段 08:00 开始之后才能标记未到。"
    assert fresh(Booking, booking.id).status == "confirmed"


@pytest.mark.parametrize("offset", [-1, 0, 5])
def test_the_roster_links_the_day_before_and_after_under_the_nursery_tabs(client, offset):
    _, nursery, _ = _booked(client, offset)
    day = in_days(offset)
    page = client.get(_url(nursery, day)).get_data(as_text=True)
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    assert (f'id="previous-day" href="/console/nurseries/{nursery.id}/roster?'
            f'date={before.isoformat()}"') in page
    assert (f'id="next-day" href="/console/nurseries/{nursery.id}/roster?'
            f'date={after.isoformat()}"') in page
    assert (f'<a href="/console/nurseries/{nursery.id}/roster" aria-current="page">每日名单</a>'
            in page)
    assert page.count("<h1") == 1
    assert ('id="to-today"' in page) == (offset != 0)
    assert ('<span class="today-mark">今天</span>' in page) == (offset == 0)
