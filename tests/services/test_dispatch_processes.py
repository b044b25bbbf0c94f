"""At most once, nothing lost that can be saved: three dispatcher processes, one database."""

import json
import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db
from parentapp.models import Notification, SubscriptionGrant
from parentapp.services.reminders.health_planning import insert_notifications
from tests.factories import make_user
from tests.notify_factories import NOW, vaccine_data

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (os.environ.get("PARENTAPP_TEST_DATABASE_URL") or "").startswith(
        "postgres"), reason="needs PostgreSQL (SKIP LOCKED claims across processes)"),
]
ROWS, FAMILIES, PROCESSES = 2000, 100, 3
ROOT = Path(__file__).resolve().parents[2]


def _rows(families):
    rows = []
    for n in range(ROWS):
        family = families[n % FAMILIES]
        rows.append({"user_id": family.id, "kind": "vaccine", "template_kind": "vaccine",
                     "dedupe_key": f"process-test:{n}", "title": "疫苗接种提醒", "body": "内容",
                     "link": "/pages/index", "wechat_data": vaccine_data(str(n)),
                     "planned_at": NOW, "send_after": NOW, "delivery_state": "pending",
                     "attempts": 0, "created_at": NOW})
    return rows


def test_three_dispatchers_send_each_row_at_most_once(app, fake, database_url, wechat_server,
                                                     caplog):
    caplog.set_level(logging.WARNING)  # the fake logs every request otherwise
    families = [make_user("parent") for _ in range(FAMILIES)]
    per_family = ROWS // FAMILIES
    for family in families:
        db.session.add(SubscriptionGrant(user_id=family.id, template_kind="vaccine",
                                         grants=per_family, updated_at=NOW))
        fake.grant(family.wechat_openid, SANDBOX_TEMPLATES["vaccine"], per_family)
    insert_notifications(_rows(families))
    db.session.commit()
    fake.set_failures(fail_rate=0.10, hang_rate=0.05, hang_seconds=0.6,
                      endpoints=["subscribe_send"])
    settings = {
        "now": NOW.isoformat(), "PARENTAPP_ENV": "testing", "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": database_url, "WECHAT_APPID": app.config["WECHAT_APPID"],
        "WECHAT_SECRET": app.config["WECHAT_SECRET"], "WECHAT_API_BASE": wechat_server[1],
        "WECHAT_TIMEOUT": [1.0, 0.25], "NOTIFY_RETRY_SECONDS": [1] * 8,
        "NOTIFY_LEASE_SECONDS": 10**6,
    }
    workers = [subprocess.Popen([sys.executable, "-m", "tests.dispatch_worker",
                                 json.dumps(settings)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    fake.set_failures()

    db.session.expire_all()
    rows = list(db.session.execute(db.select(Notification.dedupe_key, Notification.delivery_state,
                                             Notification.last_error)))
    received = Counter(m.data["thing4"].rsplit(" ", 1)[1] for m in fake.messages())
    assert len(rows) == ROWS
    assert max(received.values()) == 1  # no message reached WeChat twice
    states = Counter(state for _, state, _ in rows)
    assert set(states) <= {"sent", "failed"}, states
    for key, state, error in rows:
        marker = key.rsplit(":", 1)[1]
        if state == "sent":
            assert received[marker] == 1
        else:
            assert error == "timeout" and received[marker] <= 1
    assert states["failed"] > 0 and states["sent"] > ROWS * 0.9
    assert sum(r.get("sent", 0) for r in results) == states["sent"]
    assert sum(1 for r in results if r.get("sent")) >= 2  # the work was shared
    # Our grant counts and WeChat's agree for every family, but for sends that timed out
    # before WeChat took them: those count as spent (it may have acted), never the reverse.
    unseen = Counter(user_id for user_id, key, state in db.session.execute(
        db.select(Notification.user_id, Notification.dedupe_key, Notification.delivery_state))
        if state == "failed" and received[key.rsplit(":", 1)[1]] == 0)
    for family in families:
        left = db.session.get(SubscriptionGrant, (family.id, "vaccine")).grants
        theirs = fake.grants_left(family.wechat_openid, SANDBOX_TEMPLATES["vaccine"])
        assert theirs - left == unseen[family.id], family.id
