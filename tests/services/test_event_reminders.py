from datetime import time, timedelta

from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.service_settings import dispatch_config, offer_minutes
from parentapp.services.booking import cancellation
from parentapp.services.classes import enrollment, organizing
from parentapp.services.reminders.event_planning import (
    plan_booking_reminders,
    plan_class_reminders,
    withdraw_reminders,
    withdraw_stale,
)
from parentapp.timeutil import local_instant
from tests.booking_factories import book, in_days, make_slot, setup_nursery, today
from tests.factories import make_child, make_class, make_enrollment, make_user


def rows(kind):
    db.session.expire_all()
    return list(db.session.scalars(db.select(Notification).where(Notification.kind == kind)
                                   .order_by(Notification.id)))


def at(day, clock):
    return local_instant(day, clock)


def test_a_booking_is_reminded_at_18_the_day_before_its_first_slot():
    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    child = make_child(parent, name="小雨")
    now = at(today(), time(10))
    booking = book(parent, [make_slot(nursery, day=in_days(4)), make_slot(nursery, day=in_days(3))],
                   child=child, now=now)
    assert plan_booking_reminders(now) == 1
    [row] = rows("booking_reminder")
    assert row.planned_at == row.send_after == at(in_days(2), time(18))
    assert row.send_before == at(in_days(3), time(8))
    assert row.dedupe_key == f"booking:{booking.id}:{in_days(3).isoformat()}:u{parent.id}"
    assert (row.user_id, row.child_id, row.template_kind) == (parent.id, child.id, "booking")
    data = row.wechat_data
    assert set(data) == {"thing1", "time2", "phrase3", "name4", "thing5"}
    assert data["name4"] == "小雨" and data["phrase3"] == "即将开始"
    assert data["time2"].endswith("08:00")
    assert plan_booking_reminders(now + timedelta(minutes=5)) == 0


def test_a_booking_made_after_that_moment_is_reminded_at_once():
    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    now = at(today(), time(19))
    book(parent, [make_slot(nursery, day=in_days(1))], now=now)
    plan_booking_reminders(now + timedelta(minutes=3))
    [row] = rows("booking_reminder")
    assert row.planned_at == now and row.send_after == now


def test_cancelling_the_booking_withdraws_its_pending_reminder():
    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    now = at(today(), time(10))
    booking = book(parent, [make_slot(nursery, day=in_days(3))], now=now)
    plan_booking_reminders(now)
    cancellation.cancel_booking(parent.id, booking.id, None, now, offer_minutes=offer_minutes())
    assert withdraw_stale(now) == 1
    assert rows("booking_reminder")[0].delivery_state == "withdrawn"
    assert plan_booking_reminders(now) == 0


def test_cancelling_the_first_slot_moves_the_reminder_to_the_next():
    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    now = at(today(), time(10))
    first, second = make_slot(nursery, day=in_days(3)), make_slot(nursery, day=in_days(4))
    booking = book(parent, [first, second], now=now)
    plan_booking_reminders(now)
    cancellation.cancel_booking(parent.id, booking.id, [first.id], now,
                                offer_minutes=offer_minutes())
    withdraw_stale(now)
    assert plan_booking_reminders(now) == 1
    old, new = rows("booking_reminder")
    assert old.delivery_state == "withdrawn" and new.delivery_state == "pending"
    assert new.planned_at == at(in_days(3), time(18))


def test_a_class_seat_is_reminded_24_hours_before_the_start():
    cls = make_class(title="科学喂养家长课堂", venue="南宾街道社区卫生服务中心")
    family = make_user("parent")
    entry = make_enrollment(cls, family)
    waiting = make_enrollment(cls, status="waitlisted")
    now = cls.starts_at - timedelta(days=3)
    assert plan_class_reminders(now) == 1
    [row] = rows("class_reminder")
    assert row.user_id == family.id and row.child_id is None and row.subject_id == entry.id
    assert row.planned_at == cls.starts_at - timedelta(hours=24)
    assert row.send_before == cls.starts_at
    assert row.wechat_data["thing1"] == "科学喂养家长课堂"
    assert row.wechat_data["thing3"] == "南宾街道社区卫生服务中心"
    assert waiting.family_id not in {r.user_id for r in rows("class_reminder")}
    assert plan_class_reminders(now) == 0


def test_leaving_a_class_or_its_cancellation_withdraws_the_reminders():
    cls = make_class()
    leaver, stayer = make_user("parent"), make_user("parent")
    make_enrollment(cls, leaver)
    make_enrollment(cls, stayer)
    now = cls.starts_at - timedelta(days=2)
    plan_class_reminders(now)
    enrollment.leave(leaver.id, cls.id, now)
    assert withdraw_stale(now) == 1
    organizer = db.session.get(type(leaver), cls.organizer_id)
    organizing.cancel_class(organizer.id, cls.id, "场地维修", now)
    assert withdraw_stale(now) == 1
    assert {r.delivery_state for r in rows("class_reminder")} == {"withdrawn"}


def test_services_may_withdraw_a_bookings_reminders_at_once():
    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    now = at(today(), time(10))
    booking = book(parent, [make_slot(nursery, day=in_days(3))], now=now)
    plan_booking_reminders(now)
    assert withdraw_reminders("booking", [booking.id]) == 1
    db.session.commit()
    assert rows("booking_reminder")[0].delivery_state == "withdrawn"


def test_a_reminder_due_for_a_booking_cancelled_since_planning_is_not_sent(fake):
    from parentapp.services.reminders.dispatch import dispatch_notifications
    from tests.notify_factories import give_grants

    nursery, _ = setup_nursery("full_day")
    parent = make_user("parent")
    now = at(today(), time(10))
    booking = book(parent, [make_slot(nursery, day=in_days(2))], now=now)
    give_grants(parent, "booking", fake=fake)
    plan_booking_reminders(now)
    cancellation.cancel_booking(parent.id, booking.id, None, now, offer_minutes=offer_minutes())
    counts = dispatch_notifications(at(in_days(1), time(18, 1)), config=dispatch_config())
    assert counts["withdrawn"] == 1 and "sent" not in counts
    assert rows("booking_reminder")[0].delivery_state == "withdrawn"
    assert fake.messages() == []
