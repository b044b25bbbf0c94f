"""Booking and class reminders reach each of the child's people with reminders on, once each
(a seat without a child: the account that enrolled); the stale sweep understands whose row
is whose; planning stays set-based; each send spends the recipient's own grant."""

from datetime import time, timedelta

from parentapp.extensions import db
from parentapp.models import Notification, User
from parentapp.service_settings import dispatch_config, offer_minutes
from parentapp.services.booking import cancellation
from parentapp.services.classes import organizing
from parentapp.services.family import fanout
from parentapp.services.reminders import inbox
from parentapp.services.reminders.dispatch import dispatch_notifications
from parentapp.services.reminders.event_planning import (
    booking_key,
    class_key,
    plan_booking_reminders,
    plan_class_reminders,
    plan_event_reminders,
    withdraw_stale,
)
from parentapp.timeutil import local_instant
from tests.booking_factories import book, in_days, make_slot, setup_nursery, today
from tests.factories import make_child, make_class, make_enrollment, make_user
from tests.fanout_factories import add_person, family, notes, per_user, remove_person, set_reminders
from tests.notify_factories import give_grants, grants_left
from tests.sqlcount import count_statements

NOW = local_instant(today(), time(10))



def booked(child, by, day=3):
    nursery, _ = setup_nursery("full_day")
    return book(by, [make_slot(nursery, day=in_days(day))], child=child, now=NOW)


def soon_class(**overrides):
    """A class at 09:00 three days from today (inside the planning horizon)."""
    start = local_instant(in_days(3), time(9))
    return make_class(starts_at=start, ends_at=start + timedelta(hours=2),
                      enroll_deadline=start - timedelta(days=1), **overrides)


def reminders(kind="booking_reminder"):
    return notes(Notification.kind == kind)


def ids(users):
    return {user.id: 1 for user in users}


def test_a_booking_is_reminded_to_each_person_with_reminders_on_once():
    child, [guardian, carer], [viewer] = family()
    booking = booked(child, by=carer)
    assert plan_booking_reminders(NOW) == 2
    rows = reminders()
    assert per_user(rows) == ids([guardian, carer]) and viewer.id not in per_user(rows)
    base = booking_key(booking.id, in_days(3))
    assert sorted(r.dedupe_key for r in rows) == sorted(
        [fanout.keyed_for(base, guardian.id), fanout.keyed_for(base, carer.id)])
    assert {r.child_id for r in rows} == {child.id}
    assert len({(r.title, r.body, r.planned_at, r.send_before) for r in rows}) == 1
    assert plan_booking_reminders(NOW + timedelta(minutes=5)) == 0
    # The booking cancelled: every person's row goes.
    cancellation.cancel_booking(guardian.id, booking.id, None, NOW, offer_minutes=offer_minutes())
    assert withdraw_stale(NOW) == 2
    assert {r.delivery_state for r in reminders()} == {"withdrawn"}


def test_a_class_seat_for_a_child_reaches_its_people_and_one_without_the_account():
    cls = make_class()
    child, [guardian, carer], [viewer] = family()
    for_child = make_enrollment(cls, carer, child_id=child.id)
    alone = make_user("parent")
    own = make_enrollment(cls, alone)
    now = cls.starts_at - timedelta(days=3)
    assert plan_class_reminders(now) == 3
    rows = reminders("class_reminder")
    assert per_user(rows) == ids([guardian, carer, alone])
    by_user = {r.user_id: r for r in rows}
    assert by_user[guardian.id].child_id == by_user[carer.id].child_id == child.id
    assert by_user[guardian.id].subject_id == for_child.id
    assert by_user[alone.id].child_id is None and by_user[alone.id].subject_id == own.id
    assert by_user[alone.id].dedupe_key == fanout.keyed_for(class_key(own.id, cls.starts_at),
                                                            alone.id)
    assert plan_class_reminders(now) == 0
    # The class moves: each person's row is replanned once, at the new start.
    organizing.update_class(cls.organizer_id, cls.id,
                            {"starts_at": cls.starts_at + timedelta(hours=1),
                             "ends_at": cls.ends_at + timedelta(hours=1)}, now)
    assert withdraw_stale(now) == 3
    assert plan_class_reminders(now) == 3
    assert per_user(reminders("class_reminder"), "pending") == ids([guardian, carer, alone])


def test_the_sweep_withdraws_rows_of_people_who_turned_reminders_off_or_left():
    cls = soon_class()
    child, [guardian, quiet, gone], _ = family(carers=2, viewers=0)
    booked(child, by=guardian)
    make_enrollment(cls, guardian, child_id=child.id)
    now = NOW
    assert plan_event_reminders(now) == {"bookings": 3, "classes": 3, "withdrawn": 0}
    set_reminders(child, quiet, False)
    remove_person(child, gone)
    assert withdraw_stale(now) == 4  # their booking and class rows
    rows = reminders() + reminders("class_reminder")
    assert per_user(rows, "pending") == {guardian.id: 2}
    assert per_user(rows, "withdrawn") == {quiet.id: 2, gone.id: 2}
    assert plan_event_reminders(now + timedelta(minutes=5)) == {
        "bookings": 0, "classes": 0, "withdrawn": 0}
    assert len(reminders() + reminders("class_reminder")) == 6


def test_reminders_back_on_revives_the_same_row_and_withdraw_for_takes_it_again():
    child, [guardian, carer], _ = family(viewers=0)
    booked(child, by=guardian)
    plan_booking_reminders(NOW)
    set_reminders(child, carer, False)
    assert fanout.withdraw_for(carer.id, child.id) == 1
    db.session.commit()
    assert plan_booking_reminders(NOW + timedelta(minutes=5)) == 0
    set_reminders(child, carer, True)
    assert plan_booking_reminders(NOW + timedelta(minutes=10)) == 1
    db.session.commit()
    rows = reminders()
    assert len(rows) == 2 and per_user(rows, "pending") == ids([guardian, carer])
    assert plan_booking_reminders(NOW + timedelta(minutes=15)) == 0


def test_a_person_who_joins_is_reminded_by_the_next_run_and_nobody_twice():
    child, [guardian], _ = family(carers=0, viewers=0)
    booked(child, by=guardian)
    plan_booking_reminders(NOW)
    [first] = reminders()
    newcomer = add_person(child)
    assert plan_booking_reminders(NOW + timedelta(minutes=5)) == 1
    db.session.commit()
    rows = reminders()
    assert per_user(rows) == ids([guardian, newcomer]) and rows[0].id == first.id


def test_withdraw_for_takes_the_persons_booking_and_class_reminders_about_that_child_only():
    cls = soon_class()
    child, [guardian, carer], _ = family(viewers=0)
    other = make_child(carer, name="小明")
    booked(child, by=guardian)
    booked(other, by=carer)
    make_enrollment(cls, carer, child_id=child.id)
    plan_event_reminders(NOW)
    assert fanout.withdraw_for(carer.id, child.id) == 2
    db.session.commit()
    rows = reminders() + reminders("class_reminder")
    withdrawn = {(r.kind, r.user_id, r.child_id) for r in rows if r.delivery_state == "withdrawn"}
    assert withdrawn == {("booking_reminder", carer.id, child.id),
                         ("class_reminder", carer.id, child.id)}
    assert per_user(rows, "pending") == {guardian.id: 2, carer.id: 1}


def _world(bookings, people):
    nursery, _ = setup_nursery("full_day")
    # Each run also sweeps one stale row: a booking cancelled since it was planned.
    child, [guardian], _ = family(carers=0, viewers=0)
    gone = book(guardian, [make_slot(nursery, day=in_days(4))], child=child, now=NOW)
    plan_booking_reminders(NOW - timedelta(minutes=1))
    cancellation.cancel_booking(guardian.id, gone.id, None, NOW, offer_minutes=offer_minutes())
    cls = soon_class(capacity=bookings + 1)
    slot = make_slot(nursery, day=in_days(3), capacity=bookings)
    for _ in range(bookings):
        child, hearing, _ = family(carers=people - 1, viewers=1)
        book(hearing[-1], [slot], child=child, now=NOW)
        make_enrollment(cls, hearing[0], child_id=child.id)
    make_enrollment(cls, make_user("parent"))


def test_planning_and_the_sweep_take_a_fixed_number_of_statements():
    _world(bookings=1, people=1)
    with count_statements() as few:
        small = plan_event_reminders(NOW)
    _world(bookings=6, people=3)
    with count_statements() as many:
        large = plan_event_reminders(NOW)
    assert small == {"bookings": 1, "classes": 2, "withdrawn": 1}
    assert large == {"bookings": 6 * 3, "classes": 6 * 3 + 1, "withdrawn": 1}
    assert len(few) == len(many)


def test_two_people_with_a_grant_each_get_two_sends_on_their_own_grants(fake):
    child, [guardian, carer, no_grant], [viewer] = family(carers=2)
    booking = booked(child, by=carer, day=2)
    for person in (guardian, carer, viewer):
        give_grants(person, "booking", fake=fake)
    plan_booking_reminders(NOW)
    due = local_instant(in_days(1), time(18, 1))
    counts = dispatch_notifications(due, config=dispatch_config())
    assert counts["sent"] == 2 and counts["no_grant"] == 1
    sent = sorted(m.touser for m in fake.messages())
    assert sent == sorted([guardian.wechat_openid, carer.wechat_openid])
    assert [grants_left(p, "booking") for p in (guardian, carer, viewer)] == [0, 0, 1]
    states = {r.user_id: r.delivery_state for r in reminders()}
    assert states == {guardian.id: "sent", carer.id: "sent", no_grant.id: "no_grant"}
    # Each in their own inbox; the viewer (reminders off) has neither row nor send.
    for person in (guardian, carer, no_grant, viewer):
        page = inbox.inbox(person.id, now=due, unread_only=False, page=1, per_page=20)
        seen = [n.subject_id for n in page["items"] if n.kind == "booking_reminder"]
        assert seen == ([] if person is viewer else [booking.id])
    assert dispatch_notifications(due + timedelta(minutes=1),
                                  config=dispatch_config()).get("sent", 0) == 0


def test_a_person_turned_off_after_planning_is_not_sent_the_due_reminder(fake):
    child, [guardian, carer], _ = family(viewers=0)
    booked(child, by=guardian, day=2)
    for person in (guardian, carer):
        give_grants(person, "booking", fake=fake)
    plan_booking_reminders(NOW)
    set_reminders(child, carer, False)  # the sweep before sending catches it
    counts = dispatch_notifications(local_instant(in_days(1), time(18, 1)),
                                    config=dispatch_config())
    assert counts["sent"] == 1 and counts["withdrawn"] == 1
    assert [m.touser for m in fake.messages()] == [guardian.wechat_openid]
    assert grants_left(db.session.get(User, carer.id), "booking") == 1
