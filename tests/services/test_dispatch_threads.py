"""Dispatchers on threads with their own app contexts, on SQLite and PostgreSQL alike."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db
from parentapp.models import Notification, SubscriptionGrant
from parentapp.service_settings import dispatch_config
from parentapp.services.reminders.dispatch import dispatch_notifications
from parentapp.services.reminders.health_planning import insert_notifications
from tests.factories import make_user
from tests.notify_factories import NOW, vaccine_data

ROWS, THREADS = 300, 3
RETRIES = [60] * 8  # nine tries: a row dies only after nine -1 answers in a row (1e-9)
ROUNDS = [61 * n for n in range(10)]


@pytest.mark.slow
def test_concurrent_dispatchers_deliver_each_row_exactly_once(app, fake, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_RETRY_SECONDS", RETRIES)
    families = [make_user("parent") for _ in range(10)]
    for family in families:
        db.session.add(SubscriptionGrant(user_id=family.id, template_kind="vaccine",
                                         grants=ROWS, updated_at=NOW))
        fake.grant(family.wechat_openid, SANDBOX_TEMPLATES["vaccine"], ROWS)
    insert_notifications([
        {"user_id": families[n % 10].id, "kind": "vaccine", "template_kind": "vaccine",
         "dedupe_key": f"thread-test:{n}", "title": "提醒", "body": "内容", "link": None,
         "wechat_data": vaccine_data(str(n)), "planned_at": NOW, "send_after": NOW,
         "delivery_state": "pending", "attempts": 0, "created_at": NOW} for n in range(ROWS)])
    db.session.commit()
    fake.set_failures(fail_rate=0.10, endpoints=["subscribe_send"])
    barrier, errors = threading.Barrier(THREADS), []

    def work():
        try:
            with app.app_context():
                for offset in ROUNDS:
                    barrier.wait()
                    dispatch_notifications(NOW + timedelta(seconds=offset),
                                           config=dispatch_config())
                db.session.remove()
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fake.set_failures()
    assert errors == []
    db.session.expire_all()
    states = Counter(db.session.scalars(db.select(Notification.delivery_state)))
    assert states == {"sent": ROWS}
    received = Counter(m.data["thing4"] for m in fake.messages())
    assert len(received) == ROWS and set(received.values()) == {1}
