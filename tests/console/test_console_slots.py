"""The console's slot pages: generating a range of slots (as the API then lists them),
refusals beside their fields with nothing created, and the calendar's all-or-nothing
batch change."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import Booking, Slot
from tests.booking_factories import (
    book,
    fresh,
    in_days,
    make_hours,
    make_offering,
    setup_nursery,
)
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import make_user

HOURS = {"am": (time(8), time(12)), "pm": (time(14), time(17, 30)),
         "day": (time(8), time(17, 30))}


def _new_url(nursery) -> str:
    return f"/console/nurseries/{nursery.id}/slots/new"


def _generate(client, nursery, **form):
    data = {"care_type": "half_day", "from": in_days(1).isoformat(),
            "to": in_days(14).isoformat(), "weekdays": ["1", "3"], "capacity": "7", **form}
    return client.post(_new_url(nursery), data={"csrf_token": csrf(client, _new_url(nursery)),
                                                **data})


def _listed(client, nursery, care_type, day_from, day_to) -> set[tuple]:
    """The slots as the families' API lists them: (date, start, end, capacity, status)."""
    response = client.get(f"/api/v1/nurseries/{nursery.id}/slots", query_string={
        "from": day_from.isoformat(), "to": day_to.isoformat(), "care_type": care_type})
    assert response.status_code == 200
    return {(s["date"], s["start"], s["end"], s["capacity"], s["status"])
            for s in response.get_json()["items"]}


def _expected(day_from, day_to, weekdays, spans, capacity) -> set[tuple]:
    days = [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]
    return {(d.isoformat(), f"{HOURS[s][0]:%H:%M}", f"{HOURS[s][1]:%H:%M}", capacity, "open")
            for d in days if d.isoweekday() in weekdays for s in spans}


def _slot_count(nursery) -> int:
    return db.session.scalar(select(func.count()).select_from(Slot).where(
        Slot.nursery_id == nursery.id))


@pytest.mark.parametrize(("care_type", "parts", "spans"), [
    ("half_day", ["am"], ["am"]), ("half_day", [], ["am", "pm"]),
    ("full_day", ["pm"], ["day"])])  # parts only count for half-day care
def test_generation_creates_exactly_the_slots_asked_for(client, care_type, parts, spans):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery(care_type, operator=operator)
    response = _generate(client, nursery, care_type=care_type, parts=parts)
    assert response.status_code == 302
    expected = _expected(in_days(1), in_days(14), {1, 3}, spans, 7)
    assert _listed(client, nursery, care_type, in_days(0), in_days(20)) == expected
    page = client.get(response.location).get_data(as_text=True)
    assert f"已生成 {len(expected)} 个时段，0 个已存在未变。" in page
    # Again: nothing new, the existing ones are counted as kept.
    _generate(client, nursery, care_type=care_type, parts=parts)
    assert _slot_count(nursery) == len(expected)


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("capacity", "abc", "容量：应为整数。"),
    ("capacity", "0", "容量：应在 1 到 1000 之间。"),
    ("from", "", "开始日期：必填。"),
    ("to", "yesterday", "结束日期：应为 YYYY-MM-DD 格式的日期。"),
    ("weekdays", [], "星期："),
])
def test_a_bad_field_is_refused_beside_it_and_nothing_is_created(client, field, value,
                                                                   problem):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery("half_day", operator=operator)
    response = _generate(client, nursery, **{field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error field-error" id="f-{field}-error">{problem}' in page
    assert 'id="form-error"' in page
    assert 'value="7"' in page or field == "capacity"  # what was typed is shown again
    assert _slot_count(nursery) == 0


def test_a_past_start_or_a_reversed_range_is_refused_by_the_service(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery("half_day", operator=operator)
    page = _generate(client, nursery, **{"from": in_days(-1).isoformat()}).get_data(
        as_text=True)
    assert 'id="f-from-error">开始日期：不能为已经过去的日期生成时段。' in page
    response = _generate(client, nursery, to=in_days(0).isoformat())
    assert response.status_code == 422
    assert ('id="f-to-error">结束日期：结束日期不能早于开始日期。'
            in response.get_data(as_text=True))
    assert _slot_count(nursery) == 0


def test_capacity_above_the_licensed_places_is_refused_beside_capacity(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery("half_day", operator=operator)
    assert nursery.licensed_places == 60
    response = _generate(client, nursery, capacity="61")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page[page.index('id="f-capacity-error">'):]
    assert error.startswith('id="f-capacity-error">容量：')
    assert "开放的名额合计 61 个，超过了备案托位数 60。" in error.split("</p>")[0]
    assert 'value="61"' in page
    assert _slot_count(nursery) == 0


def test_a_care_type_without_an_offering_is_not_offered_and_refused(client):
    operator = signed_in_client(client, "operator")
    nursery, _ = setup_nursery("half_day", operator=operator)
    page = client.get(_new_url(nursery)).get_data(as_text=True)
    assert '<option value="half_day"' in page and '<option value="hourly"' not in page
    response = _generate(client, nursery, care_type="hourly")
    assert response.status_code == 422
    assert "托育类型：请先设置该托育类型的价格和年龄范围。" in response.get_data(as_text=True)
    assert _slot_count(nursery) == 0


# -- the calendar's batch change --------------------------------------------------------------

def _hours_with_a_booking(operator):
    """Three hourly slots ten days ahead (capacity 5); the middle one has one booking."""
    nursery, _ = setup_nursery("hourly", operator=operator)
    day = in_days(10)
    hours = make_hours(nursery, day, first=9, count=3)
    booking = book(make_user("parent"), [hours[1]])
    return nursery, day, hours, booking


def _batch(client, nursery, day, **form):
    calendar = f"/console/nurseries/{nursery.id}/calendar?month={day:%Y-%m}&care_type=hourly"
    return client.post(f"/console/nurseries/{nursery.id}/slots/batch", data={
        "csrf_token": csrf(client, calendar), "month": f"{day:%Y-%m}", "care_type": "hourly",
        **form})


def _capacities(hours) -> list[int]:
    return [fresh(Slot, s.id).capacity for s in hours]


def test_a_batch_change_one_slot_cannot_take_changes_nothing(client):
    operator = signed_in_client(client, "operator")
    nursery, day, hours, _ = _hours_with_a_booking(operator)
    response = _batch(client, nursery, day, action="capacity", capacity="0",
                      slot_ids=[str(s.id) for s in hours])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (f"{day.month}月{day.day}日" in page and "10:00（已约 1）" in page
            and "所有勾选的时段都没有修改。" in page)
    assert _capacities(hours) == [5, 5, 5]
    # Every ticked box stays ticked for another try.
    for slot in hours:
        assert re.search(rf'<input id="pick-{slot.id}" [^>]* checked>', page), slot.id
    # A change every slot can take applies to all of them.
    response = _batch(client, nursery, day, action="capacity", capacity="8",
                      slot_ids=[str(s.id) for s in hours])
    assert response.status_code == 302
    assert _capacities(hours) == [8, 8, 8]


def test_a_day_is_batch_closed_with_a_reason_and_the_api_shows_it(client):
    operator = signed_in_client(client, "operator")
    nursery, day, hours, booking = _hours_with_a_booking(operator)
    response = _batch(client, nursery, day, action="close", reason="园内消毒",
                      days=[day.isoformat()])
    assert response.status_code == 302
    listed = _listed(client, nursery, "hourly", day, day)
    assert {status for *_, status in listed} == {"closed"}
    assert len(listed) == 3
    assert fresh(Booking, booking.id).status == "cancelled_by_nursery"


@pytest.mark.parametrize(("form", "field", "problem"), [
    ({"action": "capacity", "capacity": "2"}, "slot_ids", "请至少勾选一个时段。"),
    ({"action": "capacity", "capacity": "abc", "ticked": True}, "capacity", "应为整数。"),
    ({"action": "capacity", "ticked": True}, "capacity", "请填写容量。")])
def test_a_bad_batch_form_is_refused_and_changes_nothing(client, form, field, problem):
    operator = signed_in_client(client, "operator")
    nursery, day, hours, _ = _hours_with_a_booking(operator)
    ticked = {"slot_ids": [str(hours[0].id)]} if form.pop("ticked", False) else {}
    response = _batch(client, nursery, day, **form, **ticked)
    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert _capacities(hours) == [5, 5, 5]


def test_another_operators_nursery_is_not_found_and_unchanged(client):
    signed_in_client(client, "operator")
    nursery, day, hours, _ = _hours_with_a_booking(make_user("operator"))
    make_offering(nursery, "half_day")
    assert client.get(_new_url(nursery)).status_code == 404
    assert _generate(client, nursery).status_code == 404
    response = _batch(client, nursery, day, action="capacity", capacity="8",
                      slot_ids=[str(s.id) for s in hours])
    assert response.status_code == 404
    assert "没有找到这家托育机构。" in response.get_data(as_text=True)
    assert _capacities(hours) == [5, 5, 5]
    assert _slot_count(nursery) == 3
