"""Notices about a child at once (waitlist offer, booking cancelled by the nursery, class
promoted, changed, cancelled) reach each of its people with reminders on, once each, in
their own inbox; a seat without a child tells the account alone."""

from datetime import time, timedelta

from parentapp.extensions import db
from parentapp.models import Booking, Notification
from parentapp.service_settings import limit, offer_minutes
from parentapp.services.booking import cancellation, waitlist
from parentapp.services.classes import enrollment, organizing
from parentapp.services.family import fanout
from parentapp.services.nurseries import slot_changes
from parentapp.timeutil import local_instant
from tests.booking_factories import book, fill, in_days, make_slot, setup_nursery, today
from tests.factories import make_class, make_enrollment, make_user
from tests.fanout_factories import family, notes, per_user

NOW = local_instant(today(), time(10))



def told(kind):
    return notes(Notification.kind == kind)


def ids(users):
    return {user.id: 1 for user in users}


def test_a_waitlist_offer_reaches_each_person_with_the_booking_template():
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3), capacity=1)
    [taken] = fill(slot, now=NOW)
    child, [guardian, carer], [viewer] = family()
    entry = waitlist.join_waitlist(carer.id, slot.id, child.id, NOW,
                                   offer_minutes=offer_minutes(),
                                   waitlist_per_child=limit("waitlist_per_child")).entry
    cancellation.cancel_booking(taken.parent_id, taken.id, None, NOW,
                                offer_minutes=offer_minutes())
    rows = told("waitlist_offer")
    assert per_user(rows) == ids([guardian, carer]) and viewer.id not in per_user(rows)
    assert {(r.child_id, r.subject_id, r.template_kind, r.delivery_state) for r in rows} == {
        (child.id, entry.id, "booking", "pending")}
    assert all(r.wechat_data["name4"] == "小雨" for r in rows)
    # A person who turns reminders off loses the pending send at once.
    assert fanout.withdraw_for(carer.id, child.id) == 1
    db.session.commit()
    assert per_user(told("waitlist_offer"), "pending") == ids([guardian])


def test_a_booking_cancelled_by_the_nursery_tells_each_person_once():
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3), capacity=3)
    child, [guardian, carer, second], [viewer] = family(carers=2)
    booking = book(carer, [slot], child=child, now=NOW)
    orphan_parent = make_user("parent")
    orphan = book(orphan_parent, [slot], now=NOW)
    db.session.get(Booking, orphan.id).child_id = None  # its child is gone: the booker
    db.session.commit()
    slot_changes.change_slot(nursery.operator_id, slot.id, {"status": "closed",
                                                            "reason": "消防检查"},
                             NOW, offer_minutes=offer_minutes())
    rows = told("booking_cancelled_by_nursery")
    assert per_user(rows) == ids([guardian, carer, second, orphan_parent])
    assert {r.subject_id for r in rows if r.user_id != orphan_parent.id} == {booking.id}
    assert all("消防检查" in r.body for r in rows)


def test_a_promoted_seat_tells_the_childs_people_or_the_account_alone():
    cls = make_class(capacity=2)
    leaving = make_enrollment(cls)
    make_enrollment(cls)
    child, [guardian, carer], [viewer] = family()
    make_enrollment(cls, carer, status="waitlisted", child_id=child.id)
    alone = make_user("parent")
    make_enrollment(cls, alone, status="waitlisted")
    now = cls.starts_at - timedelta(days=3)
    organizing.update_class(cls.organizer_id, cls.id, {"capacity": 3}, now)
    rows = told("class_promoted")
    assert per_user(rows) == ids([guardian, carer])
    assert {r.child_id for r in rows} == {child.id}
    enrollment.leave(leaving.family_id, cls.id, now)
    rows = told("class_promoted")
    assert per_user(rows) == ids([guardian, carer, alone])
    assert [r.child_id for r in rows if r.user_id == alone.id] == [None]
    assert viewer.id not in per_user(rows)


def test_a_class_moved_or_cancelled_tells_every_person_of_every_seat():
    cls = make_class(capacity=3)
    first, first_hearing, first_silent = family(carers=2)
    second, second_hearing, _ = family(carers=0, viewers=0)
    make_enrollment(cls, first_hearing[1], child_id=first.id)
    make_enrollment(cls, second_hearing[0], child_id=second.id, status="enrolled")
    alone = make_user("parent")
    make_enrollment(cls, alone)
    now = cls.starts_at - timedelta(days=3)
    start = local_instant(in_days(8), time(9))
    organizing.update_class(cls.organizer_id, cls.id,
                            {"starts_at": start, "ends_at": start + timedelta(hours=2),
                             "enroll_deadline": start - timedelta(days=1)}, now)
    everyone = ids([*first_hearing, *second_hearing, alone])
    assert per_user(told("class_changed")) == everyone
    organizing.cancel_class(cls.organizer_id, cls.id, "场地维修", now)
    rows = told("class_cancelled")
    assert per_user(rows) == everyone
    assert {r.child_id for r in rows} == {first.id, second.id, None}
    assert first_silent[0].id not in per_user(rows)


def test_notices_with_a_dedupe_key_get_one_key_per_person():
    child, hearing, _ = family(carers=2)
    rows = fanout.notify_people(child.id, "checked_in", title="已入园", body="小雨已入园",
                                now=NOW, dedupe_key="checkin:1")
    db.session.commit()
    assert sorted(r.dedupe_key for r in rows) == sorted(f"checkin:1:u{p.id}" for p in hearing)
    assert {r.delivery_state for r in rows} == {"inbox_only"}
