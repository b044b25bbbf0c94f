"""PATCH /operator/slots/{id} and the all-or-nothing batch: capacity and closing."""

from __future__ import annotations

from parentapp.models import Booking, Notification, Slot
from tests.asserts import assert_error
from tests.booking_factories import book, fill, fresh, in_days, make_slot, setup_nursery
from tests.factories import make_user


def patch(client, headers, slot_id, **body):
    return client.patch(f"/api/v1/operator/slots/{slot_id}", headers=headers, json=body)


def batch(client, headers, nursery_id, changes):
    return client.patch(f"/api/v1/operator/nurseries/{nursery_id}/slots", headers=headers,
                        json={"changes": changes})


def own(auth, care_type="full_day", **fields):
    operator, headers = auth.operator()
    nursery, offering = setup_nursery(care_type, operator)
    for key, value in fields.items():
        setattr(nursery, key, value)
    return nursery, headers


def inbox(db, user_id):
    return list(db.session.scalars(db.select(Notification).where(
        Notification.user_id == user_id)))


def test_capacity_can_change_down_to_what_is_booked(client, auth):
    nursery, headers = own(auth)
    slot = make_slot(nursery, capacity=5)
    book(make_user("parent"), [slot])
    book(make_user("parent"), [slot])
    response = patch(client, headers, slot.id, capacity=2)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["capacity"], body["booked"], body["remaining"]) == (slot.id, 2, 2, 0)
    below = patch(client, headers, slot.id, capacity=1)
    assert below.status_code == 409
    error = below.get_json()["error"]
    assert error["code"] == "capacity_below_booked"
    assert error["details"]["slot_ids"] == [slot.id]
    assert fresh(Slot, slot.id).capacity == 2


def test_closing_a_slot_cancels_that_day_in_every_booking(client, auth, db):
    nursery, headers = own(auth)
    month = [make_slot(nursery, day=in_days(n), capacity=3) for n in range(3, 6)]
    family = make_user("parent")
    long_booking = book(family, month)
    one_day_family = make_user("parent")
    one_day = book(one_day_family, [month[1]])
    response = patch(client, headers, month[1].id, status="closed", reason="消防检查")
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed" and response.get_json()["booked"] == 0
    kept = fresh(Booking, long_booking.id)
    assert kept.status == "confirmed" and kept.price_fen == 2 * 15000
    assert [s.status for s in kept.slots] == ["confirmed", "cancelled_by_nursery", "confirmed"]
    gone = fresh(Booking, one_day.id)
    assert gone.status == "cancelled_by_nursery" and gone.price_fen == 0
    for user, booking in ((family, long_booking), (one_day_family, one_day)):
        [message] = inbox(db, user.id)
        assert message.kind == "booking_cancelled_by_nursery"
        assert "消防检查" in message.body and message.subject_id == booking.id
        assert message.template_kind == "booking"
        assert set(message.wechat_data) == {"thing1", "time2", "phrase3", "name4", "thing5"}
    assert fresh(Slot, month[1].id).closed_reason == "消防检查"


def test_a_closed_slot_can_reopen_and_be_booked_again(client, auth):
    nursery, headers = own(auth)
    slot = make_slot(nursery, status="closed", closed_reason="装修")
    response = patch(client, headers, slot.id, status="open")
    assert response.status_code == 200
    assert response.get_json()["bookable"] is True
    assert response.get_json()["closed_reason"] is None


def test_closing_with_capacity_zero_is_one_change(client, auth):
    nursery, headers = own(auth)
    slot = make_slot(nursery, capacity=2)
    fill(slot)
    response = patch(client, headers, slot.id, status="closed", capacity=0)
    assert response.status_code == 200
    assert (response.get_json()["capacity"], response.get_json()["booked"]) == (0, 0)


def test_raising_capacity_past_the_licence_is_refused(client, auth):
    nursery, headers = own(auth, licensed_places=6)
    slot = make_slot(nursery, capacity=5)
    response = patch(client, headers, slot.id, capacity=7)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "capacity_exceeds_licensed_places"
    assert patch(client, headers, slot.id, capacity=6).status_code == 200


def test_reopening_past_the_licence_is_refused(client, auth):
    nursery, headers = own(auth, licensed_places=6)
    from tests.booking_factories import make_offering

    make_offering(nursery, "temporary")
    make_slot(nursery, "full_day", capacity=4)
    closed = make_slot(nursery, "temporary", capacity=3, status="closed")
    response = patch(client, headers, closed.id, status="open")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "capacity_exceeds_licensed_places"
    assert fresh(Slot, closed.id).status == "closed"


def test_a_batch_applies_every_change_or_none(client, auth):
    nursery, headers = own(auth)
    a, b, c = (make_slot(nursery, day=in_days(n), capacity=3) for n in (3, 4, 5))
    book(make_user("parent"), [c])
    book(make_user("parent"), [c])
    refused = batch(client, headers, nursery.id, [
        {"slot_id": a.id, "capacity": 1}, {"slot_id": b.id, "status": "closed"},
        {"slot_id": c.id, "capacity": 1}])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "capacity_below_booked"
    assert refused.get_json()["error"]["details"]["slot_ids"] == [c.id]
    assert (fresh(Slot, a.id).capacity, fresh(Slot, b.id).status) == (3, "open")
    applied = batch(client, headers, nursery.id, [
        {"slot_id": a.id, "capacity": 1}, {"slot_id": b.id, "status": "closed"}])
    assert applied.status_code == 200
    assert [(i["id"], i["capacity"], i["status"]) for i in applied.get_json()["items"]] == [
        (a.id, 1, "open"), (b.id, 3, "closed")]


def test_a_batch_naming_a_foreign_slot_changes_nothing(client, auth):
    nursery, headers = own(auth)
    mine = make_slot(nursery)
    other_nursery, _ = setup_nursery()
    theirs = make_slot(other_nursery)
    response = batch(client, headers, nursery.id, [
        {"slot_id": mine.id, "capacity": 1}, {"slot_id": theirs.id, "status": "closed"}])
    assert_error(response, 404, "not_found")
    assert response.get_json()["error"]["details"] == {"slot_ids": [theirs.id]}
    assert fresh(Slot, mine.id).capacity == 5 and fresh(Slot, theirs.id).status == "open"
    assert_error(batch(client, headers, nursery.id, [
        {"slot_id": mine.id, "capacity": 1},
        {"slot_id": mine.id, "capacity": 2}]), 422, "validation_error")


def test_operators_only_change_their_own_slots(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    _, headers = auth.operator()
    assert_error(patch(client, headers, slot.id, capacity=1), 404, "not_found")
    assert_error(patch(client, headers, 999999, capacity=1), 404, "not_found")
    assert_error(batch(client, headers, nursery.id, [{"slot_id": slot.id, "capacity": 1}]),
                 404, "not_found")
    _, parent = auth.parent()
    assert_error(patch(client, parent, slot.id, capacity=1), 403, "forbidden")


def test_slots_that_have_started_are_history(client, auth):
    nursery, headers = own(auth)
    started = make_slot(nursery, day=in_days(-1))
    response = patch(client, headers, started.id, status="closed")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_an_empty_change_is_422(client, auth):
    nursery, headers = own(auth)
    slot = make_slot(nursery)
    assert_error(patch(client, headers, slot.id), 422, "validation_error")
    assert_error(patch(client, headers, slot.id, status="paused"), 422, "validation_error")
    assert_error(patch(client, headers, slot.id, capacity=-1), 422, "validation_error")
