"""The console's roster: each child's pickup list (phones masked), who collected the child,
and a check-out form that asks who it was."""

from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import BookingSlot
from parentapp.services.booking import roster
from parentapp.timeutil import local_instant
from tests.booking_factories import book, make_slot, setup_nursery, today
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import make_child, make_user
from tests.pickup_factories import GRANDPA, GRANNY, set_pickup

REFUSAL = "接送人不在孩子的接送名单上，不能签退。"


def _checked_in(client, *pickup):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    slot = make_slot(nursery, day=today())
    parent = make_user("parent")
    child = make_child(parent, name="小禾")
    set_pickup(child, *pickup)
    booking = book(parent, [slot], child=child, now=local_instant(today(), time(6)))
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=today(),
                           now=local_instant(today(), time(8)))
    return booking.id, f"/console/nurseries/{nursery.id}/roster?date={today()}"


def _check_out(client, booking_id, url, **form):
    return client.post(f"/console/bookings/{booking_id}/check_out", data={
        "csrf_token": csrf(client, url), "date": today().isoformat(), "back": url, **form},
        follow_redirects=True).get_data(as_text=True)


def _row(page, booking_id) -> str:
    return re.search(rf'<tr data-booking="{booking_id}">(.*?)</tr>', page, re.S).group(1)


def _picked_up_by(booking_id):
    db.session.expire_all()
    return db.session.execute(select(BookingSlot.status, BookingSlot.picked_up_by).where(
        BookingSlot.booking_id == booking_id)).one()


def test_the_roster_shows_the_pickup_list_with_masked_phones_and_a_select(client):
    booking_id, url = _checked_in(client, GRANNY, GRANDPA)
    row = _row(client.get(url).get_data(as_text=True), booking_id)
    assert "王奶奶" in row and "138****0001" in row and "139****0002" in row
    assert "13800000001" not in row and "13900000002" not in row
    assert f'<select id="picked-up-by-{booking_id}" name="picked_up_by"' in row
    assert '<option value="王爷爷">王爷爷（祖辈）</option>' in row


def test_checking_out_with_a_name_from_the_list_records_it(client):
    booking_id, url = _checked_in(client, GRANNY, GRANDPA)
    page = _check_out(client, booking_id, url, picked_up_by="王爷爷")
    assert "已签退（王爷爷接走）。" in page
    row = _row(page, booking_id)
    assert '<td data-label="接走的人" class="picked-up-by">王爷爷</td>' in row
    assert "<select" not in row  # done: no more check-out form
    assert _picked_up_by(booking_id) == ("completed", "王爷爷")


def test_a_name_not_on_the_list_is_refused_beside_the_field(client):
    booking_id, url = _checked_in(client, GRANNY)
    for form in ({"picked_up_by": "张三"}, {}):
        page = _check_out(client, booking_id, url, **form)
        row = _row(page, booking_id)
        assert f'class="error field-error" role="alert">{REFUSAL}' in row
        assert 'aria-invalid="true"' in row
        assert '<p class="flash"' not in page  # shown beside the field, not at the top
        assert _picked_up_by(booking_id) == ("checked_in", None)
    # The refusal is shown once: the next view of the roster is clean.
    assert "field-error" not in client.get(url).get_data(as_text=True)


def test_without_a_list_the_form_asks_for_a_name_in_words(client):
    booking_id, url = _checked_in(client)
    row = _row(client.get(url).get_data(as_text=True), booking_id)
    assert "未设置" in row and 'type="text" name="picked_up_by"' in row
    page = _check_out(client, booking_id, url, picked_up_by="王" * 21)
    assert "接走的人：长度应为 1 到 20 个字符。" in _row(page, booking_id)
    assert _picked_up_by(booking_id) == ("checked_in", None)
    page = _check_out(client, booking_id, url, picked_up_by="  邻居张阿姨 ")
    assert "已签退（邻居张阿姨接走）。" in page
    assert _picked_up_by(booking_id) == ("completed", "邻居张阿姨")


def test_without_a_list_an_empty_name_checks_out(client):
    booking_id, url = _checked_in(client)
    assert "已签退。" in _check_out(client, booking_id, url, picked_up_by="")
    assert _picked_up_by(booking_id) == ("completed", None)
