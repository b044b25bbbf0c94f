"""The roster shows each child's pickup list (phones masked) and who collected the child;
check-out names someone on the list; the child's people hear of check-in and check-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from parentapp.errors import PickupNotAuthorised
from parentapp.extensions import db
from parentapp.models import AuditEntry, Booking, BookingSlot, Child, Notification, User
from parentapp.services.booking import roster
from tests.asserts import assert_error
from tests.booking_factories import book, make_hours, make_slot, setup_nursery, today
from tests.factories import make_child, make_user
from tests.family_factories import add_person
from tests.pickup_factories import AUNT, GRANDPA, GRANNY, set_pickup
from tests.sqlcount import count_statements

MOST = 10  # the token's user and session, the page count, ids, bookings, slots, pickup lists


@dataclass
class Day:
    operator: User
    headers: dict
    nursery_id: int
    guardian: User
    child: Child
    booking: Booking


def a_day(auth, *pickup, care_type="full_day", slots=None) -> Day:
    """A booking for today at the operator's nursery, for a child with this pickup list."""
    operator, headers = auth.operator()
    nursery, _ = setup_nursery(care_type, operator, min_notice_hours=0)
    slots = slots(nursery) if slots else [make_slot(nursery, day=today())]
    guardian = make_user("parent", nickname="妈妈")
    child = make_child(guardian, name="小雨")
    set_pickup(child, *pickup)
    booking = book(guardian, slots, child=child, now=slots[0].starts_at() - timedelta(days=1))
    return Day(operator, headers, nursery.id, guardian, child, booking)


def roster_items(client, day: Day) -> list[dict]:
    response = client.get(f"/api/v1/operator/nurseries/{day.nursery_id}/roster",
                          query_string={"date": today().isoformat()}, headers=day.headers)
    assert response.status_code == 200
    return response.get_json()["items"]


def attend(client, day: Day, action: str, body: dict | None = None):
    kwargs = {} if body is None else {"json": body}
    return client.post(f"/api/v1/operator/bookings/{day.booking.id}/{action}",
                       headers=day.headers, **kwargs)


def checked_in(client, day: Day) -> Day:
    assert attend(client, day, "check-in", {}).status_code == 200
    return day


def day_slots(booking_id: int) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(BookingSlot.status, BookingSlot.picked_up_by)
        .where(BookingSlot.booking_id == booking_id).order_by(BookingSlot.id))]


def notices(kind: str) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(Notification.user_id, Notification.body).where(Notification.kind == kind)
        .order_by(Notification.user_id))]


def audit_of(booking_id: int, action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.subject_id == str(booking_id))))


def test_the_roster_shows_the_pickup_list_with_masked_phones(client, auth):
    day = a_day(auth, GRANNY, AUNT)
    [item] = roster_items(client, day)
    assert item["pickup_list"] == [
        {"name": "王奶奶", "relation": "grandparent", "phone": "138****0001"},
        {"name": "李阿姨", "relation": "relative", "phone": "150****0003"}]
    assert item["picked_up_by"] is None
    assert "13800000001" not in str(item)


def test_a_child_without_a_list_shows_an_empty_one(client, auth):
    [item] = roster_items(client, a_day(auth))
    assert item["pickup_list"] == [] and item["picked_up_by"] is None


def test_check_out_by_someone_on_the_list_is_recorded_and_shown(client, auth):
    day = checked_in(client, a_day(auth, GRANNY, GRANDPA))
    response = attend(client, day, "check-out", {"picked_up_by": " 王爷爷\u3000"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "completed" and body["picked_up_by"] == "王爷爷"
    assert [p["phone"] for p in body["pickup_list"]] == ["138****0001", "139****0002"]
    assert day_slots(day.booking.id) == [("completed", "王爷爷")]
    assert roster_items(client, day)[0]["picked_up_by"] == "王爷爷"


@pytest.mark.parametrize("body", [{"picked_up_by": "张三"}, {"picked_up_by": "王奶"}, {}, None,
                                  {"picked_up_by": None}])
def test_check_out_by_someone_not_on_the_list_is_refused_and_nothing_changes(client, auth,
                                                                             body):
    day = checked_in(client, a_day(auth, GRANNY, GRANDPA))
    error = assert_error(attend(client, day, "check-out", body), 409, "pickup_not_authorised")
    assert error["message"] == "接送人不在孩子的接送名单上，不能签退。"
    assert error["details"]["pickup_names"] == ["王奶奶", "王爷爷"]
    assert day_slots(day.booking.id) == [("checked_in", None)]
    assert audit_of(day.booking.id, "booking.check_out") == []
    assert notices("checked_out") == []
    assert roster_items(client, day)[0]["status"] == "checked_in"


@pytest.mark.parametrize(("body", "recorded"), [
    (None, None), ({}, None), ({"picked_up_by": None}, None),
    ({"picked_up_by": "邻居张阿姨"}, "邻居张阿姨")])
def test_without_a_list_the_name_is_optional_and_kept_when_given(client, auth, body,
                                                                 recorded):
    day = checked_in(client, a_day(auth))
    response = attend(client, day, "check-out", body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["picked_up_by"] == recorded
    assert day_slots(day.booking.id) == [("completed", recorded)]


@pytest.mark.parametrize("name", ["王" * 21, "   ", "", 7, ["王奶奶"]])
def test_a_malformed_name_is_a_validation_error(client, auth, name):
    day = checked_in(client, a_day(auth, GRANNY))
    assert_error(attend(client, day, "check-out", {"picked_up_by": name}), 422,
                 "validation_error")
    assert day_slots(day.booking.id) == [("checked_in", None)]


def test_check_out_before_check_in_stays_an_invalid_state(client, auth):
    day = a_day(auth, GRANNY)
    assert_error(attend(client, day, "check-out", {"picked_up_by": "王奶奶"}), 409,
                 "invalid_state")
    assert_error(attend(client, day, "check-out", {"picked_up_by": "张三"}), 409,
                 "invalid_state")


def test_the_name_is_stored_on_every_slot_of_the_day(client, auth):
    day = a_day(auth, GRANNY, care_type="hourly",
                slots=lambda nursery: make_hours(nursery, today(), first=9, count=3))
    checked_in(client, day)
    assert attend(client, day, "check-out", {"picked_up_by": "王奶奶"}).status_code == 200
    assert day_slots(day.booking.id) == [("completed", "王奶奶")] * 3


def test_the_audit_record_of_check_out_names_who_collected_the_child(client, auth):
    day = checked_in(client, a_day(auth, GRANNY))
    attend(client, day, "check-out", {"picked_up_by": "王奶奶"})
    [entry] = audit_of(day.booking.id, "booking.check_out")
    assert entry.after["picked_up_by"] == "王奶奶"
    assert entry.actor_id == day.operator.id


def test_a_list_set_after_check_in_applies_at_check_out(client, auth):
    day = checked_in(client, a_day(auth))
    set_pickup(db.session.get(Child, day.child.id), AUNT)
    assert_error(attend(client, day, "check-out", {"picked_up_by": "王奶奶"}), 409,
                 "pickup_not_authorised")
    assert attend(client, day, "check-out", {"picked_up_by": "李阿姨"}).status_code == 200


def test_a_deleted_childs_booking_checks_out_with_any_name(client, auth):
    day = checked_in(client, a_day(auth, GRANNY))
    db.session.delete(db.session.get(Child, day.child.id))
    db.session.commit()
    response = attend(client, day, "check-out", {"picked_up_by": "张三"})
    assert response.status_code == 200 and response.get_json()["picked_up_by"] == "张三"
    assert notices("checked_out") == []


# The notices, at the service level with a fixed clock.

def _family(auth):
    """A child at a nursery tomorrow, with a guardian, a carer, a carer who turned
    reminders off and a viewer (reminders off by default)."""
    operator, _ = auth.operator()
    nursery, _ = setup_nursery("full_day", operator, min_notice_hours=0)
    slot = make_slot(nursery, day=today() + timedelta(days=1))
    guardian = make_user("parent")
    child = make_child(guardian, name="小雨")
    carer, quiet, viewer = make_user("parent"), make_user("parent"), make_user("parent")
    add_person(child, carer, "carer")
    add_person(child, quiet, "carer", reminders=False)
    add_person(child, viewer, "viewer")
    set_pickup(child, GRANNY)
    booking = book(guardian, [slot], child=child, now=slot.starts_at() - timedelta(days=1))
    return operator, booking, slot, nursery.name, [guardian.id, carer.id]


def test_check_in_and_check_out_tell_each_person_with_reminders_on_once(auth):
    operator, booking, slot, nursery, told = _family(auth)
    arrived = slot.starts_at() + timedelta(minutes=5)  # 08:05 in Shizhu
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=slot.date,
                           now=arrived)
    when = f"{slot.date.month}月{slot.date.day}日"
    assert notices("checked_in") == [(user_id, f"小雨已于 {when} 08:05 在{nursery}签到入园。")
                                     for user_id in told]
    left = slot.starts_at() + timedelta(hours=9, minutes=10)  # 17:10
    roster.mark_attendance(operator.id, booking.id, action="check_out", day=slot.date,
                           now=left, picked_up_by="王奶奶")
    assert notices("checked_out") == [
        (user_id, f"小雨已于 {when} 17:10 从{nursery}由王奶奶接走。") for user_id in told]
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.kind != "alert")).all()
    assert {(r.delivery_state, r.child_id, r.link) for r in rows} == {
        ("inbox_only", booking.child_id, f"/pages/bookings/detail?id={booking.id}")}


def test_a_refused_check_out_tells_no_one(auth):
    operator, booking, slot, _, _ = _family(auth)
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=slot.date,
                           now=slot.starts_at())
    with pytest.raises(PickupNotAuthorised):
        roster.mark_attendance(operator.id, booking.id, action="check_out", day=slot.date,
                               now=slot.starts_at(), picked_up_by="张三")
    assert notices("checked_out") == []
    assert len(notices("checked_in")) == 2


def test_a_no_show_tells_no_one(auth):
    operator, booking, slot, _, _ = _family(auth)
    roster.mark_attendance(operator.id, booking.id, action="no_show", day=slot.date,
                           now=slot.starts_at() + timedelta(hours=1))
    db.session.expire_all()
    assert db.session.scalars(select(Notification)).all() == []


def test_the_roster_costs_the_same_whatever_the_children_and_pickup_people(client, auth, db):
    counts = []
    for size, people in ((1, 0), (20, 6)):
        operator, headers = auth.operator()
        nursery, _ = setup_nursery("full_day", operator)
        slot = make_slot(nursery, day=today() + timedelta(days=3), capacity=20)
        for _ in range(size):
            guardian = make_user("parent")
            child = make_child(guardian)
            for _ in range(people // 3):
                add_person(child, make_user("parent"), "carer")
            set_pickup(child, *[{**GRANNY, "name": f"接送人{k}"} for k in range(people)])
            book(guardian, [slot], child=child)
        db.session.commit()
        with count_statements() as statements:
            response = client.get(f"/api/v1/operator/nurseries/{nursery.id}/roster",
                                  query_string={"date": slot.date.isoformat()},
                                  headers=headers)
        items = response.get_json()["items"]
        assert len(items) == size
        assert all(len(item["pickup_list"]) == people for item in items)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= MOST, counts
