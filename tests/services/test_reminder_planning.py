from datetime import date, time, timedelta

from parentapp.extensions import db
from parentapp.models import Notification, ReminderPlan
from parentapp.service_settings import health_schedule, offer_minutes
from parentapp.services.accounts import children
from parentapp.services.health import records
from parentapp.services.reminders.health_planning import plan_health_reminders
from parentapp.timeutil import local_instant
from tests.factories import make_child, make_user
from tests.sqlcount import count_statements

BORN = date(2025, 6, 1)
NOW = local_instant(date(2025, 7, 25), time(10))


def guardian(child):
    return child.people[0].user_id


def old_child(parent=None, **overrides):
    parent = parent or make_user("parent")
    fields = {"birth_date": BORN, "created_at": NOW - timedelta(days=30), **overrides}
    return make_child(parent, **fields)


def rows(**where):
    db.session.expire_all()
    stmt = db.select(Notification).order_by(Notification.planned_at, Notification.kind)
    for key, value in where.items():
        stmt = stmt.where(getattr(Notification, key) == value)
    return list(db.session.scalars(stmt))


def codes(row):
    return [item["code"] for item in row.covered_items]


def test_planning_writes_one_coalesced_row_with_template_data():
    child = old_child()
    totals = plan_health_reminders(NOW, schedule=health_schedule())
    assert totals["children"] == 1 and totals["created"] == 1
    [row] = rows()
    assert row.dedupe_key == f"health:{child.id}:vaccine:2025-07-29:u{guardian(child)}"
    assert (row.kind, row.template_kind, row.delivery_state) == ("vaccine", "vaccine", "pending")
    assert row.user_id == guardian(child) and row.child_id == child.id
    assert row.planned_at == row.send_after == local_instant(date(2025, 7, 29), time(9))
    assert codes(row) == ["DTaP-1", "IPV-1"]
    assert row.wechat_data == {"thing1": "百白破疫苗 第1剂、脊灰灭活疫苗 第1剂",
                               "date2": "2025年8月1日", "name3": "小明",
                               "thing4": "请按时接种，完成后记录"}
    assert "小明" in row.body and row.link == f"/pages/children/health-plan?child_id={child.id}"


def test_planning_twice_creates_nothing_new_and_visits_no_child_again():
    old_child()
    old_child()
    first = plan_health_reminders(NOW, schedule=health_schedule())
    second = plan_health_reminders(NOW + timedelta(minutes=5), schedule=health_schedule())
    assert first["created"] == 2
    assert second == {"children": 0, "created": 0, "updated": 0, "withdrawn": 0}
    assert len(rows()) == 2


def test_a_marked_child_planned_again_gets_no_duplicate():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    db.session.execute(db.update(ReminderPlan).values(version=ReminderPlan.version + 1))
    db.session.commit()
    again = plan_health_reminders(NOW, schedule=health_schedule())
    assert again["children"] == 1 and again["created"] == 0 and len(rows()) == 1
    assert rows()[0].child_id == child.id


def test_children_are_planned_in_batches_with_a_fixed_number_of_statements():
    for _ in range(7):
        old_child()
    with count_statements() as statements:
        totals = plan_health_reminders(NOW, batch_size=3, schedule=health_schedule())
    assert totals["children"] == 7 and totals["created"] == 7
    # Per batch: candidates, records, recipients, insert, plan upsert (and, for children
    # planned before, what they were told); then one empty candidates query.
    assert len([s for s in statements if s.lstrip().upper().startswith(
        ("SELECT", "INSERT"))]) <= 3 * 5 + 1


def test_recording_an_item_rewrites_its_coalesced_row_and_then_withdraws_it():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    records.record_item(guardian(child), child.id, code="IPV-1", done_on=date(2025, 7, 25), now=NOW,
                        schedule=health_schedule())
    [row] = rows()
    assert row.delivery_state == "pending" and codes(row) == ["DTaP-1"]
    assert row.wechat_data["thing1"] == "百白破疫苗 第1剂" and "脊灰" not in row.body
    records.record_item(guardian(child), child.id, code="DTaP-1", done_on=date(2025, 7, 25),
                        now=NOW, schedule=health_schedule())
    assert rows()[0].delivery_state == "withdrawn"
    plan_health_reminders(NOW + timedelta(minutes=5), schedule=health_schedule())
    assert [r.delivery_state for r in rows()] == ["withdrawn"]


def test_a_five_in_one_dose_withdraws_the_reminder_of_both_doses_it_counts_as():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    assert codes(rows()[0]) == ["DTaP-1", "IPV-1"]
    records.record_item(guardian(child), child.id, product="DTaP-IPV-Hib",
                        done_on=date(2025, 7, 25), now=NOW, schedule=health_schedule())
    assert [r.delivery_state for r in rows()] == ["withdrawn"]


def test_deleting_a_record_brings_the_reminder_back():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    for code in ("IPV-1", "DTaP-1"):
        records.record_item(guardian(child), child.id, code=code, done_on=date(2025, 7, 25),
                            now=NOW, schedule=health_schedule())
    records.delete_record(guardian(child), child.id, "IPV-1")
    totals = plan_health_reminders(NOW + timedelta(minutes=5), schedule=health_schedule())
    assert totals["updated"] == 1
    [row] = rows()
    assert row.delivery_state == "pending" and codes(row) == ["IPV-1"]


def test_a_new_birth_date_moves_pending_reminders():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    children.update_child(guardian(child), child.id, {"birth_date": date(2025, 6, 3)}, NOW)
    totals = plan_health_reminders(NOW + timedelta(minutes=5), schedule=health_schedule())
    assert totals["withdrawn"] == 1 and totals["created"] == 1
    states = {r.dedupe_key.split(":")[3]: r.delivery_state for r in rows()}
    assert states == {"2025-07-29": "withdrawn", "2025-07-31": "pending"}


def test_a_reminder_already_sent_is_not_repeated_when_its_date_moves():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    [sent] = rows()
    sent.delivery_state = "sent"
    db.session.commit()
    children.update_child(guardian(child), child.id, {"birth_date": date(2025, 6, 3)}, NOW)
    totals = plan_health_reminders(NOW + timedelta(minutes=5), schedule=health_schedule())
    assert totals["created"] == 0
    assert [(r.delivery_state, codes(r)) for r in rows()] == [("sent", ["DTaP-1", "IPV-1"])]


def test_a_new_child_gets_one_catch_up_message_per_kind_once():
    child = make_child(make_user("parent"), birth_date=BORN, created_at=NOW - timedelta(hours=1))
    plan_health_reminders(NOW, schedule=health_schedule())
    today = [r for r in rows() if r.planned_at == NOW]
    assert sorted(r.kind for r in today) == ["checkup", "vaccine"]
    assert all(r.child_id == child.id for r in today)
    later = plan_health_reminders(NOW + timedelta(hours=1), schedule=health_schedule())
    assert later["created"] == 0
    assert len(rows()) == 3  # the two catch-ups and the 29 July reminder


def test_a_child_is_skipped_until_its_next_reminder_enters_the_horizon():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    later = plan_health_reminders(NOW + timedelta(days=3), schedule=health_schedule())
    assert later["children"] == 0
    totals = plan_health_reminders(local_instant(date(2025, 8, 8), time(0, 5)),
                                   schedule=health_schedule())
    assert totals["children"] == 1 and totals["created"] == 1
    assert rows()[-1].dedupe_key.endswith(f":vaccine:2025-08-15:u{guardian(child)}")


def test_deleting_a_child_erases_its_reminders():
    child = old_child()
    plan_health_reminders(NOW, schedule=health_schedule())
    children.delete_child(guardian(child), child.id, NOW, offer_minutes=offer_minutes())
    assert rows() == []
