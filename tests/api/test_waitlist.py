"""Waitlists: join a full slot, offers when places free up, accept, expiry, leave."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from parentapp import jobs
from parentapp.models import Notification, Slot, WaitlistEntry, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking import waitlist_offers
from parentapp.services.booking.cancellation import cancel_booking
from tests.asserts import assert_error
from tests.booking_factories import (
    book,
    fill,
    fresh,
    in_days,
    make_offering,
    make_slot,
    setup_nursery,
)
from tests.factories import make_child, make_nursery

MINUTES = 120


def join(client, headers, slot_id, child_id):
    return client.post(f"/api/v1/slots/{slot_id}/waitlist", headers=headers,
                       json={"child_id": child_id})


def family(auth, **child_fields):
    parent, headers = auth.parent()
    return parent, headers, make_child(parent, **child_fields)


def full_slot(capacity=1, **slot_fields):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=capacity, **slot_fields)
    bookings = fill(slot)
    return slot, bookings


def entry(entry_id) -> WaitlistEntry:
    return fresh(WaitlistEntry, entry_id)


def test_families_queue_for_a_full_slot_in_order(client, auth):
    slot, _ = full_slot()
    positions = []
    for _ in range(3):
        _, headers, child = family(auth)
        response = join(client, headers, slot.id, child.id)
        assert response.status_code == 201
        body = response.get_json()
        assert body["status"] == "waiting" and body["slot_id"] == slot.id
        positions.append(body["position"])
    assert positions == [1, 2, 3]
    listing = client.get(f"/api/v1/nurseries/{slot.nursery_id}/slots").get_json()
    assert listing["items"][0]["waitlist_length"] == 3


def test_a_slot_with_places_left_has_no_waitlist(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=2)
    _, headers, child = family(auth)
    response = join(client, headers, slot.id, child.id)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "slot_not_full"


def test_joining_is_refused_when_the_child_could_not_book(client, auth, db):
    slot, _ = full_slot()
    _, headers, child = family(auth)
    assert join(client, headers, slot.id, child.id).status_code == 201
    twice = join(client, headers, slot.id, child.id)
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "invalid_state"

    closed, _ = full_slot()
    closed.status = "closed"
    db.session.commit()
    response = join(client, headers, closed.id, child.id)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_closed"

    nursery, _ = setup_nursery(age_min_months=30)
    young = make_slot(nursery, capacity=0)  # no place at all: full
    response = join(client, headers, young.id, child.id)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "age_ineligible"

    other, _, _ = family(auth)
    response = join(client, headers, slot.id, make_child(other).id)
    assert_error(response, 404, "not_found")


def test_a_child_holding_the_slot_cannot_also_wait_for_it(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=1)
    parent, headers, child = family(auth)
    book(parent, [slot], child=child)
    response = join(client, headers, slot.id, child.id)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_booked"


def test_a_started_slot_has_no_waitlist(client, auth):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(0), capacity=0, start_time=time(0, 0))
    _, headers, child = family(auth)
    response = join(client, headers, slot.id, child.id)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "booking_window_closed"


def test_a_cancellation_offers_the_place_to_the_first_family(client, auth, db):
    slot, [taken] = full_slot()
    first_parent, first_headers, first_child = family(auth)
    _, second_headers, second_child = family(auth)
    first = join(client, first_headers, slot.id, first_child.id).get_json()
    second = join(client, second_headers, slot.id, second_child.id).get_json()
    before = utcnow()
    cancel_booking(taken.parent_id, taken.id, None, before, offer_minutes=offer_minutes())

    offered = entry(first["id"])
    assert offered.status == "offered"
    assert offered.offer_expires_at == before + timedelta(minutes=MINUTES)
    assert entry(second["id"]).status == "waiting"
    assert fresh(Slot, slot.id).held == 1
    [message] = db.session.scalars(db.select(Notification).where(
        Notification.user_id == first_parent.id))
    assert message.kind == "waitlist_offer" and message.subject_id == first["id"]

    # The held place is nobody else's: listing shows none left, booking it is slot_full.
    [item] = client.get(f"/api/v1/nurseries/{slot.nursery_id}/slots").get_json()["items"]
    assert (item["remaining"], item["bookable"], item["waitlist_length"]) == (0, False, 1)
    stranger, stranger_headers, stranger_child = family(auth)
    response = client.post("/api/v1/bookings", headers={
        **stranger_headers, "Idempotency-Key": str(uuid.uuid4())},
        json={"child_id": stranger_child.id, "slot_ids": [slot.id]})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_full"

    mine = client.get("/api/v1/me/waitlist", headers=first_headers).get_json()["items"]
    assert mine[0]["status"] == "offered" and mine[0]["position"] is None
    assert mine[0]["offer_expires_at"].endswith("+08:00")
    theirs = client.get("/api/v1/me/waitlist", headers=second_headers).get_json()["items"]
    assert (theirs[0]["status"], theirs[0]["position"]) == ("waiting", 1)


def test_accepting_an_offer_books_it_once(client, auth):
    slot, [taken] = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    accepted = client.post(f"/api/v1/waitlist/{waiting['id']}/accept", headers=headers)
    assert accepted.status_code == 201
    booking = accepted.get_json()
    assert booking["child_id"] == child.id and [s["id"] for s in booking["slots"]] == [slot.id]
    again = client.post(f"/api/v1/waitlist/{waiting['id']}/accept", headers=headers)
    assert again.status_code == 200 and again.get_json() == booking
    row = fresh(Slot, slot.id)
    assert (row.booked, row.held) == (1, 0)
    assert (entry(waiting["id"]).status, entry(waiting["id"]).booking_id) == (
        "accepted", booking["id"])


def test_the_offered_family_may_also_book_the_held_place_directly(client, auth):
    slot, [taken] = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    response = client.post("/api/v1/bookings", headers={
        **headers, "Idempotency-Key": str(uuid.uuid4())},
        json={"child_id": child.id, "slot_ids": [slot.id]})
    assert response.status_code == 201
    assert entry(waiting["id"]).status == "accepted"
    assert (fresh(Slot, slot.id).booked, fresh(Slot, slot.id).held) == (1, 0)


@pytest.mark.parametrize("state", ["waiting", "expired", "left"])
def test_accepting_what_is_not_offered_is_invalid_state(client, auth, db, state):
    slot, _ = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    row = db.session.get(WaitlistEntry, waiting["id"])
    row.status = state
    db.session.commit()
    response = client.post(f"/api/v1/waitlist/{waiting['id']}/accept", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_an_expired_offer_passes_to_the_next_family(client, auth, db):
    slot, [taken] = full_slot()
    _, first_headers, first_child = family(auth)
    second_parent, _, second_child = family(auth)
    first = join(client, first_headers, slot.id, first_child.id).get_json()
    second = offers_join(db, slot, second_parent.id, second_child.id)
    now = utcnow()
    cancel_booking(taken.parent_id, taken.id, None, now, offer_minutes=offer_minutes())
    assert jobs.JOBS["expire-waitlist-offers"](now + timedelta(minutes=MINUTES - 1)) \
        == "expired 0 offers, made 0 new offers"
    summary = jobs.JOBS["expire-waitlist-offers"](now + timedelta(minutes=MINUTES))
    assert summary == "expired 1 offers, made 1 new offers"
    assert entry(first["id"]).status == "expired"
    assert entry(second.id).status == "offered"
    assert fresh(Slot, slot.id).held == 1
    late = client.post(f"/api/v1/waitlist/{first['id']}/accept", headers=first_headers)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"


def offers_join(db, slot, parent_id, child_id):
    row = WaitlistEntry(slot_id=slot.id, parent_id=parent_id, child_id=child_id,
                        created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def _expire_now(db, entry_id):
    row = db.session.get(WaitlistEntry, entry_id)
    row.offer_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_an_expired_offer_never_blocks_a_booking_even_before_the_job_runs(client, auth, db):
    slot, [taken] = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    _expire_now(db, waiting["id"])
    [item] = client.get(f"/api/v1/nurseries/{slot.nursery_id}/slots").get_json()["items"]
    assert (item["remaining"], item["bookable"]) == (1, True)
    assert entry(waiting["id"]).status == "expired"


def test_an_expired_offer_is_released_when_someone_books(client, auth, db):
    slot, [taken] = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    _expire_now(db, waiting["id"])
    _, other_headers, other_child = family(auth)
    response = client.post("/api/v1/bookings", headers={
        **other_headers, "Idempotency-Key": str(uuid.uuid4())},
        json={"child_id": other_child.id, "slot_ids": [slot.id]})
    assert response.status_code == 201
    assert (fresh(Slot, slot.id).booked, fresh(Slot, slot.id).held) == (1, 0)


def test_an_expired_offer_is_seen_as_expired_by_its_family(client, auth, db):
    slot, [taken] = full_slot()
    _, headers, child = family(auth)
    waiting = join(client, headers, slot.id, child.id).get_json()
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    _expire_now(db, waiting["id"])
    items = client.get("/api/v1/me/waitlist", headers=headers).get_json()["items"]
    assert items[0]["status"] == "expired" and fresh(Slot, slot.id).held == 0


def test_leaving_moves_the_queue_up_and_declining_passes_the_offer_on(client, auth):
    slot, [taken] = full_slot()
    joined = []
    for _ in range(3):
        _, headers, child = family(auth)
        joined.append((headers, join(client, headers, slot.id, child.id).get_json()))
    (h1, e1), (h2, e2), (h3, e3) = joined
    assert client.delete(f"/api/v1/waitlist/{e2['id']}", headers=h2).status_code == 204
    assert client.get("/api/v1/me/waitlist", headers=h3).get_json()["items"][0][
        "position"] == 2
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    assert entry(e1["id"]).status == "offered"
    assert client.delete(f"/api/v1/waitlist/{e1['id']}", headers=h1).status_code == 204
    assert entry(e1["id"]).status == "left" and entry(e3["id"]).status == "offered"
    again = client.delete(f"/api/v1/waitlist/{e1['id']}", headers=h1)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    assert_error(client.delete(f"/api/v1/waitlist/{e3['id']}", headers=h1), 404, "not_found")
    ended = client.get("/api/v1/me/waitlist", headers=h2).get_json()["items"]
    assert (ended[0]["status"], ended[0]["position"]) == ("left", None)


def test_raising_capacity_and_reopening_move_the_waitlist(client, auth):
    operator, op_headers = auth.operator()
    nursery, _ = setup_nursery(operator=operator)
    slot = make_slot(nursery, capacity=1)
    fill(slot)
    entries = []
    for _ in range(2):
        _, headers, child = family(auth)
        entries.append(join(client, headers, slot.id, child.id).get_json())
    url = f"/api/v1/operator/slots/{slot.id}"
    raised = client.patch(url, headers=op_headers, json={"capacity": 2})
    assert raised.status_code == 200
    assert raised.get_json()["held"] == 1 and raised.get_json()["remaining"] == 0
    assert [entry(e["id"]).status for e in entries] == ["offered", "waiting"]
    # Closing ends the offer and the bookings; reopening offers again to whoever waits.
    client.patch(url, headers=op_headers, json={"status": "closed"})
    assert [entry(e["id"]).status for e in entries] == ["expired", "waiting"]
    reopened = client.patch(url, headers=op_headers, json={"status": "open"})
    assert reopened.get_json()["held"] == 1
    assert [entry(e["id"]).status for e in entries] == ["expired", "offered"]


def test_an_offer_never_outlives_the_booking_window(auth, db):
    nursery, offering = setup_nursery("hourly", min_notice_hours=2)
    slot = make_slot(nursery, "hourly", in_days(2), capacity=1, hour=9)
    now = slot.starts_at() - timedelta(hours=3)
    [taken] = fill(slot, now=now)
    parent, _, child = family(auth)
    waiting = offers_join(db, slot, parent.id, child.id)
    cancel_booking(taken.parent_id, taken.id, None, now, offer_minutes=offer_minutes())
    assert entry(waiting.id).offer_expires_at == slot.starts_at() - timedelta(hours=2)
    offering.min_notice_hours = 0
    db.session.commit()
    assert waitlist_offers.offer_deadline(fresh(Slot, slot.id), offering, now,
                                          offer_minutes=offer_minutes()) == now + timedelta(
        minutes=MINUTES)


def test_no_offer_is_made_once_the_slot_can_no_longer_be_booked(auth, db):
    nursery, _ = setup_nursery("full_day", min_notice_hours=12, cancel_cutoff_hours=0)
    slot = make_slot(nursery, capacity=1)
    [taken] = fill(slot, now=slot.starts_at() - timedelta(hours=13))
    parent, _, child = family(auth)
    waiting = offers_join(db, slot, parent.id, child.id)
    # Six hours before the start: too late to book, so nobody is offered the place.
    cancel_booking(taken.parent_id, taken.id, None, slot.starts_at() - timedelta(hours=6),
                   offer_minutes=offer_minutes())
    assert entry(waiting.id).status == "waiting" and fresh(Slot, slot.id).held == 0


def test_the_offer_length_is_configurable(app, auth, db, monkeypatch):
    monkeypatch.setitem(app.config, "WAITLIST_OFFER_MINUTES", 30)
    slot, [taken] = full_slot()
    parent, _, child = family(auth)
    waiting = offers_join(db, slot, parent.id, child.id)
    now = utcnow()
    cancel_booking(taken.parent_id, taken.id, None, now, offer_minutes=offer_minutes())
    assert entry(waiting.id).offer_expires_at == now + timedelta(minutes=30)


def test_the_waitlist_of_a_hidden_nursery_is_not_found(client, auth):
    nursery = make_nursery(filing_status="pending")
    make_offering(nursery)
    slot = make_slot(nursery, capacity=0)
    _, headers, child = family(auth)
    assert_error(join(client, headers, slot.id, child.id), 404, "not_found")
    assert_error(join(client, headers, 999999, child.id), 404, "not_found")


def test_the_expiry_job_runs_from_the_command_line(app, auth, db):
    slot, [taken] = full_slot()
    parent, _, child = family(auth)
    waiting = offers_join(db, slot, parent.id, child.id)
    cancel_booking(taken.parent_id, taken.id, None, utcnow(), offer_minutes=offer_minutes())
    _expire_now(db, waiting.id)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list"]).output.split()
    assert {"expire-waitlist-offers", "purge-idempotency-keys"} <= set(listed)
    result = runner.invoke(args=["jobs", "run", "expire-waitlist-offers"])
    assert result.exit_code == 0
    assert "expire-waitlist-offers: expired 1 offers, made 0 new offers" in result.output
    assert entry(waiting.id).status == "expired" and fresh(Slot, slot.id).held == 0
