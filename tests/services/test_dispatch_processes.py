"""At most once, nothing lost that can be saved: three dispatcher processes, one database;
then families, each reminder reaching each person with reminders on once, on their grants."""

import itertools
import json
import logging
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, Notification, SubscriptionGrant, User
from parentapp.service_settings import health_schedule
from parentapp.services.reminders.health_planning import insert_notifications, plan_health_reminders
from parentapp.timeutil import local_instant
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


def _run_dispatchers(app, fake, database_url, wechat_server, now):
    """PROCESSES dispatcher processes until nothing is left pending, WeChat failing at
    random (errors, hung answers); returns each process's counts."""
    fake.set_failures(fail_rate=0.10, hang_rate=0.05, hang_seconds=0.6,
                      endpoints=["subscribe_send"])
    settings = {
        "now": now.isoformat(), "PARENTAPP_ENV": "testing", "SECRET_KEY": app.config["SECRET_KEY"],
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
        # Generous: on a busy 2-core machine (load 16 seen) a run took over 120 s.
        out, err = worker.communicate(timeout=360)
        assert worker.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    fake.set_failures()
    return results


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
    results = _run_dispatchers(app, fake, database_url, wechat_server, NOW)
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


# Families: a reminder about a child reaches each of its people with reminders on, each on
# their own grants (contract, "Family and carers").
CHILDREN = 400
BORN = date(2025, 6, 1)
PLANNED = local_instant(date(2025, 7, 25), time(10))  # each child: one vaccine reminder
SENDING = local_instant(date(2025, 7, 29), time(10))  # ... due at 09:00 that day


def _families():
    """CHILDREN children, each with a guardian and a carer; every second child a second
    carer, every fifth a carer without a grant, every third a viewer (reminders off, one
    grant that must stay unspent); every tenth child shares its carer with the child before
    (a grandparent of two: two reminders, two grants). Returns (children, hearing:
    {user: [child...]}, no grant: {user}, viewers: {user})."""
    hearing, no_grant, viewers = defaultdict(list), set(), set()
    users, kids, links = itertools.count(1), [], []

    def user():
        account = User(role="parent", wechat_openid=f"family-openid-{next(users)}",
                       created_at=PLANNED)
        db.session.add(account)
        return account

    carer = None
    for n in range(CHILDREN):
        child = Child(name=f"童{n}", birth_date=BORN, gender="male",
                      created_at=PLANNED - timedelta(days=30))
        people = [("guardian", user(), True),
                  ("carer", carer if n % 10 == 9 else user(), True)]
        carer = people[1][1]
        if n % 2:
            people.append(("carer", user(), True))
        if n % 5 == 0:
            people.append(("carer", user(), False))
        if n % 3 == 0:
            people.append(("viewer", user(), None))
        kids.append(child)
        links.append((child, people))
    db.session.add_all(kids)
    db.session.flush()
    for child, people in links:
        for position, (role, account, granted) in enumerate(people):
            db.session.add(ChildPerson(child_id=child.id, user_id=account.id, role=role,
                                       reminders=granted is not None,
                                       since=child.created_at + timedelta(minutes=position)))
            if granted is None:
                viewers.add(account)
            else:
                hearing[account].append(child)
                if not granted:
                    no_grant.add(account)
    db.session.commit()
    return kids, hearing, no_grant, viewers


def _grant(fake, account, count):
    db.session.add(SubscriptionGrant(user_id=account.id, template_kind="vaccine", grants=count,
                                     updated_at=PLANNED))
    fake.grant(account.wechat_openid, SANDBOX_TEMPLATES["vaccine"], count)


def test_three_dispatchers_reach_each_person_of_each_family_once_on_their_own_grants(
        app, fake, database_url, wechat_server, caplog):
    caplog.set_level(logging.WARNING)
    kids, hearing, no_grant, viewers = _families()
    for account, children in hearing.items():
        if account not in no_grant:
            _grant(fake, account, len(children))
    for account in viewers:
        _grant(fake, account, 1)
    db.session.commit()
    planned = plan_health_reminders(PLANNED, schedule=health_schedule())
    expected = {(account.id, child.id) for account, children in hearing.items()
                for child in children}
    assert planned["created"] == len(expected)
    results = _run_dispatchers(app, fake, database_url, wechat_server, SENDING)

    db.session.expire_all()
    rows = list(db.session.execute(db.select(Notification.user_id, Notification.child_id,
                                             Notification.delivery_state,
                                             Notification.last_error)))
    openids = {account.wechat_openid: account.id for account in [*hearing, *viewers]}
    names = {child.name: child.id for child in kids}
    received = Counter((openids[m.touser], names[m.data["name3"]]) for m in fake.messages())
    # One row per person and reminder, none for the viewers, none twice.
    assert Counter((user_id, child_id) for user_id, child_id, _, _ in rows) == dict.fromkeys(
        expected, 1)
    duplicates = sum(1 for count in received.values() if count > 1)
    assert duplicates == 0 and set(received) <= expected
    no_grant_ids, viewer_ids = {a.id for a in no_grant}, {a.id for a in viewers}
    states = Counter(state for _, _, state, _ in rows)
    for user_id, child_id, state, error in rows:
        if user_id in no_grant_ids:
            assert state == "no_grant" and received[(user_id, child_id)] == 0
        elif state == "sent":
            assert received[(user_id, child_id)] == 1
        else:
            assert (state, error) == ("failed", "timeout") and received[(user_id, child_id)] <= 1
    assert states["no_grant"] == len(no_grant) and states["failed"] > 0
    assert states["sent"] > (len(rows) - len(no_grant)) * 0.9
    assert sum(r.get("sent", 0) for r in results) == states["sent"]
    # The grants spent are each person's own: ours and WeChat's agree per person but for
    # sends that timed out before WeChat took them; the viewers' stay whole.
    lost = [(user_id, child_id) for user_id, child_id, state, _ in rows
            if state == "failed" and received[(user_id, child_id)] == 0]
    unseen = Counter(user_id for user_id, _ in lost)
    for account in hearing:
        if account in no_grant:
            continue
        left = db.session.get(SubscriptionGrant, (account.id, "vaccine")).grants
        theirs = fake.grants_left(account.wechat_openid, SANDBOX_TEMPLATES["vaccine"])
        assert left == 0  # one grant per reminder, each spent by that person's own row
        assert theirs == unseen[account.id], account.id
    for account in viewers:
        assert db.session.get(SubscriptionGrant, (account.id, "vaccine")).grants == 1
        assert fake.grants_left(account.wechat_openid, SANDBOX_TEMPLATES["vaccine"]) == 1
    # A family of two with a grant each: two sends (but for answers that never came).
    granted = Counter(child.id for account, children in hearing.items()
                      if account not in no_grant for child in children)
    sends = Counter(child_id for _, child_id in received)
    pairs = [child_id for child_id, count in granted.items() if count == 2]
    lost_of_child = Counter(child_id for _, child_id in lost)
    assert all(sends[child_id] + lost_of_child[child_id] == 2 for child_id in pairs)
    per_person = Counter(user_id for user_id, _ in received)
    print(f"\nfamilies: {CHILDREN} children, {len(hearing)} people with reminders on "
          f"({len(no_grant)} without a grant), {len(viewers)} viewers with reminders off")
    print(f"rows: {len(rows)} (expected {len(expected)}), states {dict(states)}")
    print(f"sends: {sum(received.values())}; people by sends received: "
          f"{dict(sorted(Counter(per_person.values()).items()))}; duplicates: {duplicates}; "
          f"sends to viewers: {sum(1 for u, _ in received if u in viewer_ids)}; "
          f"sends to people without a grant: {sum(1 for u, _ in received if u in no_grant_ids)}")
    print(f"sent per process: {[r.get('sent', 0) for r in results]}; timeouts: "
          f"{states['failed']} ({len(lost)} never reached WeChat); "
          f"families of two with a grant each: {len(pairs)}, "
          f"{sum(1 for c in pairs if sends[c] == 2)} got both sends")

