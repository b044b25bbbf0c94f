"""The yearly childcare subsidy reminder: once its day has come, one inbox message per
person of each child the subsidy pays for that year, never a second (run twice, or on
threads at once, on SQLite and PostgreSQL alike)."""

import threading
from datetime import date, time, timedelta

from parentapp import jobs
from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.benefits.childcare_subsidy import subsidy_rule
from parentapp.services.benefits.subsidy_reminders import plan_subsidy_reminders
from parentapp.timeutil import local_instant
from tests.factories import make_child, make_user
from tests.family_factories import add_person

YEAR = 2027
NOW = local_instant(date(YEAR, 1, 5), time(9))
JAN_5 = (1, 5)


def subsidy_rows():
    db.session.expire_all()
    return list(db.session.scalars(db.select(Notification).where(
        Notification.kind == "childcare_subsidy").order_by(Notification.user_id)))


def plan(now=NOW, remind_on=JAN_5):
    return plan_subsidy_reminders(now, remind_on=remind_on, rule=subsidy_rule())


def test_every_person_with_reminders_on_hears_once_naming_the_years_amount():
    guardian = make_user("parent")
    child = make_child(guardian, name="小雨", birth_date=date(2025, 3, 10))  # all of 2027
    grandma = add_person(child, role="carer")
    add_person(child, role="viewer")  # reminders off by default
    too_old = make_child(make_user("parent"), birth_date=date(2023, 12, 1))  # paid to 2026
    assert plan(NOW - timedelta(days=1)) == {"children": 0, "created": 0}  # 4 January
    assert plan() == {"children": 1, "created": 2}
    rows = subsidy_rows()
    assert sorted(r.user_id for r in rows) == sorted([guardian.id, grandma.id])
    assert {(r.child_id, r.delivery_state, r.template_kind) for r in rows} == {
        (child.id, "inbox_only", None)}
    assert all("小雨" in r.body and "2027年育儿补贴3,600元" in r.body for r in rows)
    assert all("身份证" in r.body for r in rows)
    assert too_old.id not in {r.child_id for r in rows}
    assert plan(NOW + timedelta(days=30)) == {"children": 1, "created": 0}


def test_the_last_and_first_months_are_named_by_their_amounts():
    turning_three = make_child(make_user("parent"), birth_date=date(YEAR - 3, 2, 20))
    newborn = make_child(make_user("parent"), birth_date=date(YEAR - 1, 12, 1))
    plan()
    bodies = {r.child_id: r.body for r in subsidy_rows()}
    assert "2027年育儿补贴600元" in bodies[turning_three.id]  # January and February
    assert "2027年育儿补贴3,600元" in bodies[newborn.id]


def test_a_child_added_later_in_the_year_is_reminded_on_the_next_run():
    plan()
    parent = make_user("parent")
    child = make_child(parent, birth_date=date(YEAR, 4, 2))  # paid from May
    assert plan(NOW + timedelta(days=120)) == {"children": 1, "created": 1}
    assert "2027年育儿补贴2,400元" in subsidy_rows()[0].body
    assert subsidy_rows()[0].child_id == child.id


def test_the_job_follows_the_configured_day(app, monkeypatch):
    make_child(make_user("parent"), birth_date=date(2026, 6, 1))
    monkeypatch.setitem(app.config, "SUBSIDY_REMINDER_DATE", (3, 1))
    assert "0 subsidy reminders created" in jobs.run_job("plan-subsidy-reminders", NOW)
    summary = jobs.run_job("plan-subsidy-reminders", local_instant(date(YEAR, 3, 1), time(0)))
    assert summary == "1 children eligible this year, 1 subsidy reminders created"


def test_planners_on_threads_at_once_give_each_person_one_message(app):
    parents = [make_user("parent") for _ in range(20)]
    for n, parent in enumerate(parents):
        add_person(make_child(parent, birth_date=date(2025, 1 + n % 12, 1)), role="carer")
    db.session.commit()
    barrier, errors = threading.Barrier(4), []

    def work():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                plan()
                db.session.remove()
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = subsidy_rows()
    assert len(rows) == 40 and len({(r.user_id, r.child_id) for r in rows}) == 40
