"""make bench-scale-out: two app servers, three dispatchers and one planner on one
PostgreSQL database under booking load; then the invariants, checked with SQL.

On its own PostgreSQL database (seeded, dropped after): two parentapp gunicorn servers
(production settings, the same database, the same Redis for the rate-limit counters),
a fake WeChat server process, N dispatcher processes and one planner process
(bench/job_loop.py: the scheduler's ``run_and_record`` of ``dispatch-notifications`` /
``plan-reminders`` in a loop). wrk sends bookings to both servers at once: many parents
on a few hot slots of small capacity, and spread slots; an outbox of due reminders and
the booking reminders the planner makes keep the dispatchers busy. After the load one
last planning run, then the dispatchers drain what is due, and:

- every slot: booked <= capacity, booked = its active booking slots;
- no request answered 5xx (nor a socket error);
- no message delivered twice, every sent row received, every due row sent once.

It prints a table and exits 1 when an invariant fails. Every process it starts is in its
own process group and is stopped at the end, also on error.

    .venv/bin/python bench/scale_out.py [--duration 40] [--drain 60] [--parents 300]
        [--dispatchers 3] [--servers 2] [--workers 2] [--threads 4] [--connections 16]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import requests

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import DEFAULT_PG, ROOT, SECRET, Servers, free_port, wrk  # noqa: E402
from bench.scale_out_checks import check_notifications, check_slots, due_open  # noqa: E402
from bench.scale_out_seed import GRANTS, seed, write_plan  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.config import SANDBOX_TEMPLATES  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import utcnow  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from parentapp.timeutil import LOCAL_TZ, local_instant  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402

WRK_DIR = Path(__file__).resolve().parent / "wrk"
APPID, WECHAT_SECRET = "wx-scale-appid", "scale-secret"
DEFAULT_REDIS = os.environ.get("PARENTAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def dispatch_clock(now: datetime) -> tuple[float, object]:
    """The seconds the jobs' clock is moved on, and the hot slots' day: the jobs run at
    the next 19:00 Asia/Shanghai (at least 5 minutes ahead), outside the quiet hours and
    after 18:00, when a reminder for the next day's bookings is due."""
    day = now.astimezone(LOCAL_TZ).date()
    target = local_instant(day, clock(19))
    if target < now + timedelta(minutes=5):
        day += timedelta(days=1)
        target = local_instant(day, clock(19))
    return (target - now).total_seconds(), day + timedelta(days=1)


def fake_wechat(servers: Servers, env: dict, openids: list[str], log: Path) -> str:
    port = free_port()
    servers.spawn([sys.executable, "-m", "mini_program_api.fake_server", "--port", str(port),
                   "--appid", APPID, "--secret", WECHAT_SECRET,
                   "--templates", json.dumps(SANDBOX_TEMPLATES)], env, log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(base + "/__fake__/config", timeout=2).raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        raise RuntimeError("the fake WeChat server did not start")
    with requests.Session() as session:  # the same grants WeChat would hold
        for openid in openids:
            for template_id in SANDBOX_TEMPLATES.values():
                session.post(base + "/__fake__/grants", timeout=5, json={
                    "openid": openid, "template_id": template_id,
                    "count": GRANTS}).raise_for_status()
    return base


def job_loop(servers: Servers, env: dict, job: str, args, shift: float, log: Path):
    every = args.dispatch_every if job == "dispatch-notifications" else args.plan_every
    return servers.spawn([sys.executable, str(ROOT / "bench" / "job_loop.py"), job,
                          "--every", str(every), "--shift", str(shift)], env, log)


def drive(bases: list[str], plan: Path, args) -> list[dict]:
    """wrk against every server at once; server i's thread k takes plan lines
    i * threads + k, then every (servers x threads)-th."""
    step = len(bases) * args.wrk_threads

    def one(index: int) -> dict:
        return wrk(bases[index] + "/api/v1/bookings", duration=args.duration,
                   threads=args.wrk_threads, connections=args.connections,
                   script=WRK_DIR / "book.lua",
                   env={"BENCH_WRK_DIR": str(WRK_DIR), "BENCH_PLAN": str(plan),
                        "BENCH_THREADS": str(step), "BENCH_NONCE": uuid.uuid4().hex,
                        "BENCH_OFFSET": str(index * args.wrk_threads)})

    with ThreadPoolExecutor(len(bases)) as pool:
        return list(pool.map(one, range(len(bases))))


def loop_totals(log: Path) -> dict:
    """What a job_loop log's final line(s) say: rounds, failures, totals, summed."""
    found = {"rounds": 0, "failures": 0, "sent": 0}
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        if line.startswith("{") and '"rounds"' in line:
            done = json.loads(line)
            found["rounds"] += done["rounds"]
            found["failures"] += done["failures"]
            found["sent"] += done["totals"].get("sent", 0)
    return found


def run(args, tmp: Path) -> bool:
    shift, first_day = dispatch_clock(utcnow())
    with temporary_database(args.pg, str(tmp)) as url:
        print(f"database {url.rsplit('/', 1)[-1]}: seeding {args.parents} parents; jobs' clock "
              f"+{shift / 3600:.1f} h (19:00 local), hot slots on {first_day}")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        with app.app_context():
            db.create_all()
            ensure_townships()
            data = seed(random.Random(31), first_day=first_day, parents=args.parents,
                        hot_slots=args.hot_slots, hot_capacity=args.hot_capacity,
                        spread_days=args.spread_days, spread_capacity=args.spread_capacity,
                        outbox=args.outbox)
            db.session.remove()
            db.engine.dispose()
        plan = write_plan(data, tmp / "plan.txt", random.Random(32))
        env = {**os.environ, "PARENTAPP_ENV": "production", "PARENTAPP_SECRET_KEY": SECRET,
               "PARENTAPP_DATABASE_URL": url, "PARENTAPP_REDIS_URL": args.redis,
               "PARENTAPP_WECHAT_APPID": APPID, "PARENTAPP_WECHAT_SECRET": WECHAT_SECRET,
               "PYTHONPATH": str(ROOT)}
        logs = {name: tmp / f"{name}.log" for name in ("servers", "fake", "planner")}
        dispatcher_logs = [tmp / f"dispatcher-{n}.log" for n in range(args.dispatchers)]
        with Servers(args.workers, args.threads) as servers, Servers(1, 1) as jobs:
            try:
                env["PARENTAPP_WECHAT_API_BASE"] = fake_wechat(servers, env, data["openids"],
                                                               logs["fake"])
                bases = [servers.serve("parentapp:create_app()", env, log=logs["servers"])
                         for _ in range(args.servers)]
                planner = job_loop(jobs, env, "plan-reminders", args, shift, logs["planner"])
                for log in dispatcher_logs:
                    job_loop(jobs, env, "dispatch-notifications", args, shift, log)
                print(f"load: {args.servers} servers (gunicorn -w {args.workers} --threads "
                      f"{args.threads}), wrk -t{args.wrk_threads} -c{args.connections} "
                      f"-d{args.duration}s against each; {args.dispatchers} dispatchers, 1 planner")
                results = drive(bases, plan, args)
                planner.send_signal(signal.SIGTERM)  # ends after its round; then one more
                planner.wait(60)
                job_loop_once = [sys.executable, str(ROOT / "bench" / "job_loop.py"),
                                 "plan-reminders", "--once", "--shift", str(shift)]
                jobs.spawn(job_loop_once, env, logs["planner"]).wait(120)
                drained = drain(url, shift, args.drain)
                for process in jobs.processes:
                    process.send_signal(signal.SIGTERM)
                jobs.stop_all(wait=30)
                wechat = requests.get(env["PARENTAPP_WECHAT_API_BASE"] + "/__fake__/messages",
                                      timeout=60).json()["messages"]
            except BaseException:
                for name, log in (*logs.items(), ("dispatcher-0", dispatcher_logs[0])):
                    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
                    lines = [line for line in lines if '"status": 2' not in line]
                    print(f"{name} log (last lines):\n" + "\n".join(lines[-15:]))
                raise
        now = utcnow() + timedelta(seconds=shift)
        slots = check_slots(url)
        notes = check_notifications(url, wechat, SANDBOX_TEMPLATES, now)
    loops = [loop_totals(log) for log in dispatcher_logs]
    return report(results, slots, notes, loops, loop_totals(logs["planner"]), drained)


def drain(url: str, shift: float, seconds: float) -> float:
    """Wait until nothing due is left open; returns the seconds it took (or -1)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if due_open(url, utcnow() + timedelta(seconds=shift)) == 0:
            return time.monotonic() - started
        time.sleep(1)
    return -1.0


def report(results: list[dict], slots: dict, notes: dict, dispatchers: list[dict],
           planner: dict, drained: float) -> bool:
    statuses: dict[int, int] = {}
    for result in results:
        for code, n in result["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    requests_total = sum(r["requests"] for r in results)
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    broken = sum(r["socket_errors"] for r in results)
    by_code = ", ".join(f"{code}: {n:,}" for code, n in sorted(statuses.items()))
    per_server = " + ".join(f"{r['rps']:.0f}" for r in results)
    latency = ", ".join(f"{r['p50']:.0f}/{r['p99']:.0f}" for r in results)
    sent_each = ", ".join(f"{d['sent']:,} in {d['rounds']} rounds" for d in dispatchers)
    failures = {
        "5xx answers": server_errors, "socket errors": broken,
        "overbooked slots": slots["overbooked"], "slots whose booked is miscounted":
            slots["miscounted"],
        "messages delivered twice": notes["duplicates"],
        "messages no row explains": notes["unknown_messages"],
        "sent rows WeChat never received": notes["sent_not_received"],
        "due rows not sent": notes["due"] - notes["due_sent"],
        "dispatcher or planner rounds failed": sum(d["failures"] for d in (*dispatchers,
                                                                           planner)),
        "drain timed out": int(drained < 0),
    }
    lines = [
        "| invariant / figure | value |", "|---|---|",
        f"| booking requests (req/s per server) | {requests_total:,} ({per_server}) |",
        f"| p50/p99 ms per server | {latency} |",
        f"| answers by status | {by_code} |",
        f"| 5xx / socket errors | {server_errors} / {broken} |",
        f"| slots checked (full) | {slots['slots']} ({slots['full']}), "
        f"{slots['booked']:,} places booked |",
        f"| overbooked / booked miscounted | {slots['overbooked']} / {slots['miscounted']} |",
        f"| notification rows (by state) | {notes['rows']:,} "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(notes['states'].items()))}) |",
        f"| due / sent once | {notes['due']:,} / {notes['due_sent']:,} |",
        f"| WeChat messages received / duplicates | {notes['messages']:,} / "
        f"{notes['duplicates']} |",
        f"| sent by each dispatcher | {sent_each} (drained in {drained:.0f} s) |",
        f"| planner rounds (failed) | {planner['rounds']} ({planner['failures']}) |",
    ]
    print("\n" + "\n".join(lines))
    if notes["due_not_sent"]:
        print("due rows not sent, by state:last_error:", notes["due_not_sent"])
    failed = {name: n for name, n in failures.items() if n}
    print("\nFAILED: " + "; ".join(f"{name} {n}" for name, n in failed.items()) if failed
          else "\nall invariants hold")
    return not failed


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis for the rate limits")
    parser.add_argument("--duration", type=int, default=40, help="seconds of wrk load")
    parser.add_argument("--drain", type=float, default=60, help="seconds to finish sending")
    parser.add_argument("--parents", type=int, default=300, help="parents, 2 children each")
    parser.add_argument("--outbox", type=int, default=1000, help="due reminders at the start")
    parser.add_argument("--hot-slots", type=int, default=4)
    parser.add_argument("--hot-capacity", type=int, default=5)
    parser.add_argument("--spread-days", type=int, default=6)
    parser.add_argument("--spread-capacity", type=int, default=40)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16, help="wrk's, per server")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--dispatchers", type=int, default=3)
    parser.add_argument("--dispatch-every", type=float, default=2.0)
    parser.add_argument("--plan-every", type=float, default=5.0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups
    os.environ["PARENTAPP_SECRET_KEY"] = SECRET  # tokens are hashed with the servers' key
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        ok = run(args, Path(tmp))
    print(f"({time.monotonic() - started:.0f} s in all, {os.cpu_count()} CPUs, shared)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
