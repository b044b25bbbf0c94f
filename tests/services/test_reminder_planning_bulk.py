"""Health planning's bulk writes: on PostgreSQL the rows go in by COPY, and what they store is
exactly what the executemany path stores (run on SQLite both paths are that path); two
planners at once create each row once."""

from datetime import time, timedelta

from sqlalchemy import Text, cast, delete, select, update

from parentapp.extensions import db
from parentapp.models import Child, HealthRecord, Notification, ReminderPlan, utcnow
from parentapp.service_settings import health_schedule
from parentapp.services.accounts import children
from parentapp.services.common import bulk
from parentapp.services.reminders.health_planning import plan_health_reminders
from parentapp.timeutil import local_instant, local_today
from tests.concurrency import run_at_once
from tests.factories import make_child, make_user
from tests.fanout_factories import family

# From today, so the test holds whatever the date it runs on.
NOW = local_instant(local_today(utcnow()), time(10))
BORN = NOW.date() - timedelta(days=54)  # about seven weeks old on NOW's day
MOVED = BORN + timedelta(days=2)


def plan(at=NOW, batch_size=4):
    return plan_health_reminders(at, schedule=health_schedule(), batch_size=batch_size)


def world():
    """Children of many ages, half with their early items recorded (one under a code no
    schedule knows), a family of three who hear, a child added an hour ago (catch-up)."""
    kids = []
    for n in range(12):
        parent = make_user("parent")
        kid = make_child(parent, name=f"孩子{n}", birth_date=BORN - timedelta(days=37 * n),
                         created_at=NOW - timedelta(days=30))
        if n % 2:
            db.session.add_all([HealthRecord(child_id=kid.id, code=code, done_on=kid.birth_date)
                                for code in ("HepB-1", "BCG", "OLD-CODE")])
        kids.append(kid)
    kid, hearing, _ = family(carers=2, viewers=1, birth_date=BORN,
                             created_at=NOW - timedelta(days=30))
    kids.append(kid)
    kids.append(make_child(make_user("parent"), birth_date=BORN - timedelta(days=200),
                           created_at=NOW - timedelta(hours=1)))
    db.session.commit()
    return kids


def stored():
    """Every notification (in id order, without the id) with its JSON as stored text, and
    every reminder plan."""
    db.session.expire_all()
    columns = [c for c in Notification.__table__.c if c.name != "id"]
    texts = [cast(Notification.wechat_data, Text).label("wechat_data_text"),
             cast(Notification.covered_items, Text).label("covered_items_text")]
    notes = db.session.execute(select(*columns, *texts).order_by(Notification.id)).all()
    plans = db.session.execute(select(ReminderPlan.__table__).order_by(ReminderPlan.child_id))
    return [tuple(row) for row in notes], [tuple(row) for row in plans]


def scenario(changed):
    """First run, again at once, a birth date changed, the next day: the counts and what
    is stored after each; then everything planned is forgotten."""
    seen = [(plan(), stored())]
    seen.append((plan(), stored()))
    children.update_child(changed.people[0].user_id, changed.id, {"birth_date": MOVED}, NOW)
    seen.append((plan(NOW + timedelta(minutes=5)), stored()))
    seen.append((plan(NOW + timedelta(days=1)), stored()))
    db.session.execute(delete(Notification))
    db.session.execute(delete(ReminderPlan))
    db.session.execute(update(Child).where(Child.id == changed.id).values(birth_date=BORN))
    db.session.commit()
    return seen


def test_copied_rows_are_exactly_the_rows_executemany_writes(monkeypatch):
    kids = world()
    changed = kids[0]
    copied = scenario(changed)
    monkeypatch.setattr(bulk, "copies_rows", lambda: False)
    executemany = scenario(changed)
    assert [counts for counts, _ in copied] == [counts for counts, _ in executemany]
    assert [rows for _, rows in copied] == [rows for _, rows in executemany]
    first, again, replanned, _ = (counts for counts, _ in copied)
    assert first["created"] >= 10 and again["created"] == 0
    assert replanned["withdrawn"] == 1 and replanned["created"] == 1


def test_two_planners_at_once_create_each_row_once(app):
    kids = world()

    def work(_client):
        with app.app_context():
            try:
                return plan(batch_size=3)
            finally:
                db.session.remove()

    totals = run_at_once(app, [work, work])
    notes, plans = stored()
    assert len(plans) == len(kids)
    assert sum(t["created"] for t in totals) == len(notes) >= 10
    assert plan()["created"] == 0
