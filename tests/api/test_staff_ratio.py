"""The carer ratio at a moment: children checked in by age band, carers on duty."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import BookingSlot, utcnow
from parentapp.services.staff.ratio import band_of, carers_required
from parentapp.timeutil import local_instant
from tests.asserts import assert_error
from tests.factories import make_nursery
from tests.sqlcount import count_statements
from tests.staff_factories import child_present, make_staff, on_duty

DAY = date(2026, 12, 1)
AT = local_instant(DAY, time(10, 0))
EARLY, LATE = AT - timedelta(hours=2), AT + timedelta(hours=2)


def ratio_of(client, headers, nursery_id, at=AT):
    return client.get(f"/api/v1/operator/nurseries/{nursery_id}/ratio",
                      query_string={"at": at.isoformat()}, headers=headers)


@pytest.mark.parametrize(("months", "band"), [
    (0, "infant"), (11, "infant"), (12, "toddler"), (23, "toddler"), (24, "older"), (35, "older")])
def test_children_are_banded_by_whole_months(months, band):
    assert band_of(months) == band


@pytest.mark.parametrize(("children", "required"), [
    ({"infant": 0, "toddler": 0, "older": 0}, 0),
    ({"infant": 4, "toddler": 6, "older": 1}, 5),   # 2 + 2 + 1
    ({"infant": 3, "toddler": 5, "older": 7}, 3),   # 1 + 1 + 1
    ({"infant": 1, "toddler": 1, "older": 1}, 3),   # each band rounds up on its own
    ({"infant": 0, "toddler": 11, "older": 15}, 6),  # 0 + 3 + 3
])
def test_carers_required_round_each_band_up_then_add(children, required):
    assert carers_required(children) == required


def _fill(nursery, infants, toddlers, older):
    slot = None
    for months, count in ((6, infants), (18, toddlers), (30, older)):
        for _ in range(count):
            _, slot = child_present(nursery, months, EARLY, slot=slot)


def test_four_infants_six_toddlers_one_older_need_five_carers(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    _fill(nursery, 4, 6, 1)
    for _ in range(4):
        on_duty(make_staff(nursery), EARLY)
    on_duty(make_staff(nursery, role="cook"), EARLY)  # not a carer
    response = ratio_of(client, headers, nursery.id)
    assert response.status_code == 200
    assert response.get_json() == {
        "at": "2026-12-01T10:00:00+08:00",
        "children": {"infant": 4, "toddler": 6, "older": 1},
        "carers_on_duty": 4, "carers_required": 5, "compliant": False}
    on_duty(make_staff(nursery), EARLY)
    assert ratio_of(client, headers, nursery.id).get_json()["compliant"] is True


def test_only_those_present_at_the_moment_count(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    child_present(nursery, 6, EARLY)                          # in
    child_present(nursery, 6, EARLY, until=AT - timedelta(minutes=1))  # gone before
    child_present(nursery, 6, AT + timedelta(minutes=1))      # not yet come
    child_present(nursery, 20, EARLY, until=LATE)             # left later: in at AT
    on_duty(make_staff(nursery), EARLY, until=LATE)           # in at AT
    on_duty(make_staff(nursery), LATE)                        # not yet
    on_duty(make_staff(nursery), EARLY, until=AT - timedelta(minutes=1))  # gone
    body = ratio_of(client, headers, nursery.id).get_json()
    assert body["children"] == {"infant": 1, "toddler": 1, "older": 0}
    assert (body["carers_on_duty"], body["carers_required"], body["compliant"]) == (1, 2, False)


def test_a_childs_age_is_taken_on_the_day_of_the_moment(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    child_present(nursery, 12, EARLY)  # turns 12 months on DAY itself
    body = ratio_of(client, headers, nursery.id).get_json()
    assert body["children"] == {"infant": 0, "toddler": 1, "older": 0}


def test_an_empty_nursery_is_compliant(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    body = ratio_of(client, headers, nursery.id).get_json()
    assert (body["carers_on_duty"], body["carers_required"], body["compliant"]) == (0, 0, True)


def test_the_moment_defaults_to_now_and_a_bad_one_is_refused(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    url = f"/api/v1/operator/nurseries/{nursery.id}/ratio"
    assert client.get(url, headers=headers).status_code == 200
    error = assert_error(client.get(url, query_string={"at": "yesterday"}, headers=headers),
                         422, "validation_error")
    assert "at" in error["details"]


def test_the_ratio_takes_the_same_statements_whatever_the_numbers(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    nursery_id, counts = nursery.id, []
    for _ in range(2):
        _fill(nursery, 3, 5, 7)
        on_duty(make_staff(nursery), EARLY)
        with count_statements() as statements:
            assert ratio_of(client, headers, nursery_id).get_json()["carers_on_duty"] >= 1
        counts.append([s for s in statements if s.lstrip().upper().startswith("SELECT")])
    # The token, the nursery, the children present, the carers on duty.
    assert [len(c) for c in counts] == [4, 4], counts


def test_a_child_checked_in_on_the_roster_counts_now(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    child, _ = child_present(nursery, 6, utcnow())
    [booking_slot] = db.session.scalars(select(BookingSlot)).all()
    booking_slot.status, booking_slot.checked_in_at = "confirmed", None
    booking_slot.booking.status = "confirmed"
    db.session.commit()
    url = f"/api/v1/operator/nurseries/{nursery.id}/ratio"
    assert client.get(url, headers=headers).get_json()["children"]["infant"] == 0
    response = client.post(f"/api/v1/operator/bookings/{booking_slot.booking_id}/check-in",
                           headers=headers, json={})
    assert response.status_code == 200, response.get_json()
    assert client.get(url, headers=headers).get_json()["children"]["infant"] == 1
