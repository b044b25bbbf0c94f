"""Reminder planning at 10,000 and 100,000 children, and dispatch throughput, on PostgreSQL.

Planning: for each size, a throwaway database gets N children (two per family,
birth dates spread over 0-6 years, half of them with every item due more than
30 days ago recorded) and is analysed. A fresh process then runs, timing each
step and its peak memory (ru_maxrss, minus what the process held before planning):

- baseline: a keyset scan of every child in batches of 1,000 (read only, no work);
- first run: every child planned (the whole county the day reminders go live);
- second run at the same moment: nothing changed, nothing to do;
- a run one day later: only children whose next reminder came into the horizon.

Dispatch: 2,000 due rows over 200 families against the fake WeChat server (its
own process), sent by 1 and by 4 dispatcher processes; beside it the bare
baseline: the same processes sending the same number of messages straight
through MiniProgramClient (no database, an in-memory token).

    .venv/bin/python bench/notify_bench.py \
        --postgres postgresql://postgres@127.0.0.1:5432/postgres [--sizes 10000,100000] \
        [--skip-dispatch | --dispatch-only]

From Python: ``planning_figures(pg_url, sizes)`` returns the planning figures per size, and
``dispatch_figures(pg_url)`` the dispatch rows (label, processes, messages, seconds,
msgs_per_s, ratio to the client alone).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import delete, insert, select, text  # noqa: E402

from bench.harness import free_port  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.config import SANDBOX_TEMPLATES  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import (  # noqa: E402
    Child,
    ChildPerson,
    HealthRecord,
    Notification,
    ReminderPlan,
    SubscriptionGrant,
    User,
)
from parentapp.service_settings import dispatch_config, health_schedule  # noqa: E402
from parentapp.services.health.plan import plan_items  # noqa: E402
from parentapp.services.health.schedule_files import load_schedule  # noqa: E402
from parentapp.timeutil import local_instant  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402

NOW = local_instant(date(2026, 12, 1), clock(10))
APPID, SECRET = "wx-bench-appid", "bench-secret"
FAKE_PORT = 5091  # dispatch_figures picks a free one and hands it to its children
CHUNK = 10_000


def _app(url: str, **extra):
    app = create_app({"PARENTAPP_ENV": "testing", "SECRET_KEY": "b" * 48,
                      "SQLALCHEMY_DATABASE_URI": url, "WECHAT_APPID": APPID,
                      "WECHAT_SECRET": SECRET,
                      "WECHAT_API_BASE": f"http://127.0.0.1:{FAKE_PORT}", **extra})
    logging.getLogger().setLevel(logging.WARNING)  # no line per WeChat call
    return app


def _rss_mb() -> float:
    """Peak resident memory of this process since it started (VmHWM; ru_maxrss would
    carry the parent's peak over the exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- planning ---------------------------------------------------------------------------

def seed_children(n: int) -> None:
    rnd, schedule = random.Random(7), load_schedule("cn-nip-2025")
    today, created = NOW.date(), NOW - timedelta(days=30)
    families = n // 2
    for start in range(0, families, CHUNK):
        db.session.execute(insert(User), [
            {"role": "parent", "wechat_openid": f"bench-{i}", "created_at": created}
            for i in range(start, min(start + CHUNK, families))])
    db.session.commit()
    parent_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    for start in range(0, n, CHUNK):
        children, births = [], []
        for i in range(start, min(start + CHUNK, n)):
            birth = today - timedelta(days=rnd.randint(0, 6 * 365))
            births.append(birth)
            children.append({"parent_id": parent_ids[i // 2], "name": "小明", "birth_date": birth,
                             "gender": "male", "je_choice": "live", "hepa_choice": "live",
                             "created_at": created})
        ids = db.session.execute(insert(Child).returning(Child.id), children).scalars().all()
        # Reminders go to a child's people: each child has its parent as guardian.
        db.session.execute(insert(ChildPerson), [
            {"child_id": child_id, "user_id": row["parent_id"], "role": "guardian",
             "relation": "mother", "reminders": True, "since": created}
            for child_id, row in zip(ids, children, strict=True)])
        records = []
        for child_id, birth in zip(ids, births, strict=True):
            if rnd.random() < 0.5:
                records += [{"child_id": child_id, "code": item.code, "done_on": item.due_date,
                             "recorded_at": created}
                            for item in plan_items(schedule, birth, choices={}, records={},
                                                   today=today)
                            if item.due_date < today - timedelta(days=30)]
        if records:
            db.session.execute(insert(HealthRecord), records)
        db.session.commit()


def planning_child(url: str) -> None:
    """Runs in its own process so its peak memory is the planner's."""
    from parentapp.services.reminders.health_planning import plan_health_reminders

    app = _app(url)
    with app.app_context():
        results = {"rss_before_mb": _rss_mb()}
        started, after, seen = time.perf_counter(), 0, 0
        while True:
            ids = db.session.scalars(select(Child.id).where(Child.id > after)
                                     .order_by(Child.id).limit(1000)).all()
            if not ids:
                break
            after, seen = ids[-1], seen + len(ids)
        results["baseline_scan_s"] = time.perf_counter() - started
        for label, now in (("first", NOW), ("second", NOW), ("next_day", NOW + timedelta(days=1))):
            started, cpu = time.perf_counter(), time.process_time()
            totals = plan_health_reminders(now, schedule=health_schedule())
            results[label] = {"seconds": time.perf_counter() - started, **totals,
                              "cpu_s": time.process_time() - cpu, "rss_peak_mb": _rss_mb()}
        results["rows"] = db.session.scalar(select(db.func.count()).select_from(Notification))
        # The first run again from scratch, under tracemalloc (slower, so timed apart).
        db.session.execute(delete(Notification))
        db.session.execute(delete(ReminderPlan))
        db.session.commit()
        tracemalloc.start()
        plan_health_reminders(NOW, schedule=health_schedule())
        results["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(json.dumps(results))


def planning_figures(pg_url: str, sizes: list[int]) -> list[dict]:
    """For each size, planning measured on a new database of that many children: ``size``,
    ``children`` (visited by the first run), ``first_s`` (its seconds), ``created`` (rows it
    created), and the rest of what ``print_planning`` shows (``second``, ``next_day``, ...)."""
    return [_planning(pg_url, n) for n in sizes]


def _planning(server: str, n: int) -> dict:
    with temporary_database(server, "/tmp") as url:
        app = _app(url)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            seed_children(n)
            # Statistics as autovacuum would have them on a database in service (a server
            # with autovacuum off, or a run right after seeding, would plan without them).
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            seeded = time.perf_counter() - started
            records = db.session.scalar(select(db.func.count()).select_from(HealthRecord))
            db.session.remove()
            db.engine.dispose()
        out = subprocess.run([sys.executable, __file__, "--planning-child", url], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
    return {"size": n, "children": r["first"]["children"], "first_s": r["first"]["seconds"],
            "created": r["first"]["created"], "records": records, "seeded_s": seeded, **r}


def print_planning(r: dict) -> None:
    print(f"\n== planning, {r['size']:,} children ({r['records']:,} health records; "
          f"seeded in {r['seeded_s']:.0f} s)")
    print(f"  baseline keyset scan of all children   {r['baseline_scan_s']:7.2f} s")
    for label in ("first", "second", "next_day"):
        x = r[label]
        print(f"  {label:<9} run: {x['seconds']:7.2f} s (planner CPU {x['cpu_s']:5.2f} s)"
              f"  children visited {x['children']:>7,}  rows created {x['created']:>6,}"
              f"  process peak RSS {x['rss_peak_mb']:.0f} MB"
              f" (idle app {r['rss_before_mb']:.0f} MB)")
    print(f"  notification rows: {r['rows']:,}; Python memory peak of a first run "
          f"(tracemalloc): {r['traced_peak_mb']:.1f} MB")


# --- dispatch ---------------------------------------------------------------------------

def dispatch_child(raw: str) -> None:
    """One dispatcher (or bare sender) process: say ready, wait for go, send, report."""
    global FAKE_PORT
    settings = json.loads(raw)
    FAKE_PORT = settings["port"]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if settings["bare"]:
        import mini_program_api as mp

        client = mp.MiniProgramClient(APPID, SECRET, f"http://127.0.0.1:{FAKE_PORT}")
        client.access_token()
        sys.stdin.readline()
        started = time.perf_counter()
        for n in range(settings["count"]):
            client.send_subscribe_message("bench-bare", SANDBOX_TEMPLATES["vaccine"],
                                          _data(n), page="pages/index")
        print(json.dumps({"sent": settings["count"], "seconds": time.perf_counter() - started}))
        return
    from parentapp.services.reminders.dispatch import dispatch_notifications

    app = _app(settings["url"])
    with app.app_context():
        db.session.execute(select(1))
        db.session.commit()
        sys.stdin.readline()
        started = time.perf_counter()
        counts = dispatch_notifications(NOW, max_seconds=600, config=dispatch_config())
        print(json.dumps({"sent": counts.get("sent", 0), "seconds": time.perf_counter() - started}))


def _data(n: int) -> dict[str, str]:
    return {"thing1": "百白破疫苗 第1剂", "date2": "2026年12月3日", "name3": "小明",
            "thing4": f"请按时接种 {n}"}


def _run_processes(settings: list[dict]) -> tuple[float, int]:
    procs = [subprocess.Popen([sys.executable, __file__, "--dispatch-child", json.dumps(s)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for s in settings]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    sent = sum(json.loads(proc.communicate()[0].strip().splitlines()[-1])["sent"]
               for proc in procs)
    return time.perf_counter() - started, sent


def _fake(path: str, body: dict | None = None) -> dict:
    base = f"http://127.0.0.1:{FAKE_PORT}/__fake__/"
    response = requests.post(base + path, json=body or {}, timeout=5)
    response.raise_for_status()
    return response.json()


def seed_outbox(messages: int, families: int) -> None:
    db.session.execute(insert(User), [{"role": "parent", "wechat_openid": f"bench-{i}",
                                       "created_at": NOW} for i in range(families)])
    users = db.session.execute(select(User.id, User.wechat_openid)).all()
    db.session.execute(insert(SubscriptionGrant), [
        {"user_id": uid, "template_kind": "vaccine", "grants": messages, "updated_at": NOW}
        for uid, _ in users])
    db.session.execute(insert(Notification), [
        {"user_id": users[n % families][0], "kind": "vaccine", "template_kind": "vaccine",
         "dedupe_key": f"bench:{n}", "title": "疫苗接种提醒", "body": "内容",
         "link": "/pages/index", "wechat_data": _data(n), "planned_at": NOW, "send_after": NOW,
         "delivery_state": "pending", "attempts": 0, "created_at": NOW}
        for n in range(messages)])
    db.session.commit()
    for _, openid in users:
        _fake("grants", {"openid": openid, "template_id": SANDBOX_TEMPLATES["vaccine"],
                         "count": messages})


def dispatch_figures(server: str, messages: int = 2000, families: int = 200,
                     processes: tuple[int, ...] = (1, 4)) -> list[dict]:
    """Dispatch throughput against the fake WeChat server (its own process): for each
    process count, the bare client alone, then the dispatch job on a fresh database.
    Rows: label, processes, messages, seconds, msgs_per_s, ratio (the dispatch job's
    msg/s over the client alone's with as many processes; 1.0 for the client rows)."""
    global FAKE_PORT
    FAKE_PORT = free_port()  # two benches at once must not share a fake
    fake = subprocess.Popen(
        [sys.executable, "-m", "mini_program_api.fake_server", "--port", str(FAKE_PORT),
         "--appid", APPID, "--secret", SECRET, "--templates", json.dumps(SANDBOX_TEMPLATES)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rows = []
    try:
        fake.stdout.readline()
        for count in processes:
            _fake("reset")
            _fake("grants", {"openid": "bench-bare", "template_id": SANDBOX_TEMPLATES["vaccine"],
                             "count": messages})
            share = [messages // count] * count
            wall, sent = _run_processes([{"bare": True, "count": c, "port": FAKE_PORT}
                                         for c in share])
            bare = {"label": f"client alone, {count} process(es)", "processes": count,
                    "messages": sent, "seconds": wall, "msgs_per_s": sent / wall, "ratio": 1.0}
            _fake("reset")
            with temporary_database(server, "/tmp") as url:
                app = _app(url)
                with app.app_context():
                    db.create_all()
                    seed_outbox(messages, families)
                    db.session.remove()
                    db.engine.dispose()
                wall, sent = _run_processes([{"bare": False, "url": url, "port": FAKE_PORT}]
                                            * count)
            job = {"label": f"dispatch job, {count} dispatcher(s)", "processes": count,
                   "messages": sent, "seconds": wall, "msgs_per_s": sent / wall}
            job["ratio"] = job["msgs_per_s"] / bare["msgs_per_s"]
            rows += [bare, job]
    finally:
        fake.terminate()
        fake.wait()
    return rows


def bench_dispatch(server: str, messages: int, families: int) -> None:
    print(f"\n== dispatch, {messages:,} messages over {families} families, fake WeChat")
    for row in dispatch_figures(server, messages, families):
        print(f"  {row['label']:<32} {row['msgs_per_s']:7.0f} msg/s ({row['messages']} in "
              f"{row['seconds']:.1f} s)  {row['ratio']:.2f} of the client alone")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--skip-dispatch", action="store_true")
    parser.add_argument("--dispatch-only", action="store_true", help="no planning runs")
    parser.add_argument("--planning-child", help=argparse.SUPPRESS)
    parser.add_argument("--dispatch-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.planning_child:
        return planning_child(args.planning_child)
    if args.dispatch_child:
        return dispatch_child(args.dispatch_child)
    print(f"notify_bench at {datetime.now():%Y-%m-%d %H:%M}, PostgreSQL, planning 'now' "
          f"{NOW.isoformat()}")
    if not args.dispatch_only:
        sizes = [int(s) for s in args.sizes.split(",")]
        for figures in planning_figures(args.postgres, sizes):
            print_planning(figures)
    if not args.skip_dispatch:
        bench_dispatch(args.postgres, args.messages, args.families)


if __name__ == "__main__":
    main()
