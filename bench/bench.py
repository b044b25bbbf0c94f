"""make bench: parentapp beside a bare Flask app and a raw-SQL ceiling, in one run, one table.

Builds its own PostgreSQL database at scale (dropped after), serves parentapp (production
settings), ``bench.harness:bare_app`` and ``bench.ceiling:app`` under the same gunicorn
(workers x threads, gthread), checks that parentapp and the ceiling give the same body for
each row, then drives every row with wrk, interleaved parentapp / bare / ceiling.

    .venv/bin/python bench/bench.py [--nurseries 10000] [--duration 10] [--warmup 2]
        [--rows search,mix,detail,slots,health,classes,booking,hot] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--workers 4] [--threads 8] [--connections 32] [--wrk-threads 4]

The booking limit per user and minute is switched off (PARENTAPP_LIMITS): the load comes
from a few hundred seeded parents, not from the county's thousands.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

# The repository, not bench/ (where this file would shadow the bench package).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import DEFAULT_PG, ROOT, SECRET, Servers, wrk  # noqa: E402
from bench.scale_seed import DAYS, HOT_CAPACITY, HOT_PARENTS, seed  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402

WRK_DIR = Path(__file__).resolve().parent / "wrk"
TARGETS = ("parentapp", "bare", "ceiling")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    path: str  # what wrk asks for (a script may replace it), and the body check's GET
    script: str | None = None
    post: bool = False
    token: str | None = None  # sent as the bearer token (auth.lua under load)
    hot: bool = False  # many parents on one slot: each run books a fresh hot slot
    connections: int | None = None  # instead of --connections


def rows_for(data: dict) -> dict[str, Row]:
    nid, span = data["nursery_id"], f"from={data['from']}&to={data['to']}"
    return {row.key: row for row in (
        Row("search", "nearby search, 5 km (random positions)",
            "/api/v1/nurseries?lat=29.99900&lng=108.11400", "search.lua"),
        Row("mix", "nearby search, a realistic mix (5-50 km, pages 1-3)",
            "/api/v1/nurseries?lat=29.99900&lng=108.11400&radius_km=50&page=3",
            "search_mix.lua"),
        Row("detail", "nursery detail", f"/api/v1/nurseries/{nid}"),
        Row("slots", f"slot listing, {DAYS} days ({data['slots']} slots)",
            f"/api/v1/nurseries/{nid}/slots?{span}"),
        Row("health", "health plan (8 records)",
            f"/api/v1/children/{data['health'][1]}/health-plan", "auth.lua",
            token=data["health"][0]),
        Row("classes", "class listing (300 classes, page 1)", "/api/v1/classes"),
        Row("booking", f"booking, spread over {DAYS} full-day slots", "/api/v1/bookings",
            "book.lua", post=True),
        Row("hot", f"{HOT_PARENTS} parents on one slot ({HOT_CAPACITY} places; 201 or 409)",
            "/api/v1/bookings", "book.lua", post=True, hot=True, connections=HOT_PARENTS),
    )}


# -- same body -----------------------------------------------------------------------------


def differences(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(a.keys() | b.keys())
                for d in (differences(a.get(k, "<missing>"), b.get(k, "<missing>"),
                                      f"{where}.{k}") if k in a and k in b
                          else [f"{where}.{k}: only in {'parentapp' if k in a else 'ceiling'}"])]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items against {len(b)}"]
        return [d for n, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{where}[{n}]")]
    return [] if a == b else [f"{where}: {a!r} against {b!r}"]


def check_bodies(row: Row, bases: dict, data: dict) -> None:
    if row.hot:
        return  # the booking row's endpoint, checked there
    if row.post:
        (token, child_a), (_, child_b) = data["pools"]["check"][:2]  # one parent's children
        slot = data["full_days"][0]

        def send(base, child):
            response = requests.post(base + row.path, timeout=30, json={
                "child_id": child, "slot_ids": [slot]}, headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
            body = response.json()
            if isinstance(body, dict):
                for key in ("id", "child_id", "created_at"):  # this booking's own
                    body.pop(key, None)
            return response.status_code, body

        (status_a, a), (status_b, b) = send(bases["parentapp"], child_a), send(
            bases["ceiling"], child_b)
    else:
        headers = {"Authorization": f"Bearer {row.token}"} if row.token else {}
        first, second = (requests.get(bases[t] + row.path, headers=headers, timeout=30)
                         for t in ("parentapp", "ceiling"))
        (status_a, a), (status_b, b) = ((first.status_code, first.json()),
                                        (second.status_code, second.json()))
    found = differences(a, b) + ([] if status_a == status_b else
                                 [f"status {status_a} against {status_b}"])
    if found:
        print(f"  WARNING {row.key}: parentapp and ceiling bodies differ: "
              + "; ".join(found[:5]) + (f" (+{len(found) - 5})" if len(found) > 5 else ""))
    else:
        print(f"  {row.key}: same body ({status_a}), ignoring key order")


# -- load ----------------------------------------------------------------------------------


def write_plans(data: dict, tmp: Path) -> dict[str, Path]:
    """Per pool, the (token, child, slot) of each booking: request k is child k % C on day
    (k // C + k % C) % 31, so consecutive requests take different children and slots and
    no child books a day twice."""
    plans = {}
    for pool in ("app", "ceiling"):
        families, days = data["pools"][pool], data["full_days"]
        lines = [f"{families[k % len(families)][0]} {families[k % len(families)][1]} "
                 f"{days[(k // len(families) + k % len(families)) % len(days)]}"
                 for k in range(len(families) * len(days))]
        plans[pool] = tmp / f"plan-{pool}.txt"
        plans[pool].write_text("\n".join(lines) + "\n")
    return plans


class Driver:
    def __init__(self, args, bases: dict, plans: dict, data: dict, tmp: Path, url: str):
        self.args, self.bases, self.plans, self.data, self.tmp = args, bases, plans, data, tmp
        self.url = url
        self.offsets = dict.fromkeys(TARGETS, 0)
        self.hot_slots = list(data["hot_slots"])

    def run(self, row: Row, target: str, seconds: int) -> dict:
        plan = self.plans["ceiling" if target == "ceiling" else "app"]
        slot = None
        if row.hot:  # every parent of the hot pool asks for the same, fresh slot
            slot = self.hot_slots[0] if target == "bare" else self.hot_slots.pop(0)
            plan = self.tmp / f"plan-hot-{slot}.txt"
            plan.write_text("".join(f"{token} {child} {slot}\n"
                                    for token, child in self.data["pools"]["hot"]))
        env = {"BENCH_WRK_DIR": str(WRK_DIR), "BENCH_THREADS": str(self.args.wrk_threads),
               "BENCH_OFFSET": str(0 if row.hot else self.offsets[target]),
               "BENCH_NONCE": uuid.uuid4().hex, "BENCH_TOKEN": row.token or "",
               "BENCH_PLAN": str(plan)}
        result = wrk(self.bases[target] + row.path, duration=seconds,
                     threads=self.args.wrk_threads,
                     connections=row.connections or self.args.connections,
                     script=WRK_DIR / row.script if row.script else None, env=env)
        if row.hot:
            result["errors"] = result["socket_errors"] + sum(
                count for status, count in result["statuses"].items() if status not in (201, 409))
            if target != "bare":
                result["invariant"] = hot_invariant(self.url, slot, result["statuses"])
        elif result["next"] is not None:  # book.lua: the first plan line no thread used
            self.offsets[target] = result["next"]
        return result


def hot_invariant(url: str, slot: int, statuses: dict) -> str:
    """After a hot run: the slot's counter equals its active booking rows, never above
    its capacity, and equals the 201s the clients saw."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        booked, capacity, rows = conn.execute(
            "SELECT s.booked, s.capacity, (SELECT count(*) FROM booking_slots b WHERE "
            "b.slot_id = s.id AND b.status = 'confirmed') FROM slots s WHERE s.id = %s",
            (slot,)).fetchone()
    ok = booked == rows == statuses.get(201, 0) <= capacity
    return (f"{'ok' if ok else 'BROKEN'}: booked {booked} of {capacity}, {rows} booking rows, "
            f"{statuses.get(201, 0)} answers 201, {statuses.get(409, 0)} answers 409")


JOB_ROWS = ("plan", "dispatch")  # measured by notify_bench, not with wrk


def job_table(args, keys: list[str]) -> list[str]:
    """The jobs' rows: ``plan-reminders`` on a database of ``--children`` children (the
    first run plans every child) beside a keyset scan of them all, and dispatch with 1 and
    4 processes beside the WeChat client alone sending as many messages, same run."""
    from bench.notify_bench import dispatch_figures, planning_figures

    lines = ["| job | parentapp | baseline, same run | ratio or target |", "|---|---|---|---|"]
    if "plan" in keys:
        for r in planning_figures(args.pg, [int(n) for n in args.children.split(",")]):
            verdict = "under" if r["first_s"] < 20 else "over"
            lines.append(
                f"| plan-reminders, {r['size']:,} children (first run, {r['created']:,} rows) "
                f"| {r['first_s']:.1f} s (planner CPU {r['first']['cpu_s']:.1f} s) "
                f"| keyset scan of every child {r['baseline_scan_s']:.2f} s "
                f"| {verdict} the 20 s target |")
    if "dispatch" in keys:
        figures = dispatch_figures(args.pg)
        bare = {r["processes"]: r for r in figures if r["label"].startswith("client")}
        for r in figures:
            if r["label"].startswith("client"):
                continue
            alone = bare[r["processes"]]
            lines.append(
                f"| dispatch, {r['processes']} process(es), {r['messages']:,} messages "
                f"| {r['msgs_per_s']:,.0f} msg/s | WeChat client alone {alone['msgs_per_s']:,.0f} "
                f"msg/s | {r['ratio']:.2f} |")
    return lines


def cell(result: dict, latency: bool = True) -> str:
    text = f"{result['rps']:,.0f}"
    if latency:
        text += f" ({result['p50']:.1f}/{result['p99']:.1f})"
    return text + (f" ⚠ {result['errors']} errors" if result["errors"] else "")


def measure(args, rows: list[Row], driver: Driver, broken: list[str]) -> list[str]:
    lines = ["| endpoint | parentapp req/s (p50/p99 ms) | bare req/s | "
             "ceiling req/s (p50/p99 ms) | parentapp/ceiling |", "|---|---|---|---|---|"]
    for row in rows:
        results = {}
        for target in TARGETS:  # interleaved: the three of a row run back to back
            if args.warmup:
                driver.run(row, target, args.warmup)
            results[target] = driver.run(row, target, args.duration)
            print(f"  {row.key:<8} {target:<9} {cell(results[target])}", flush=True)
            if "invariant" in results[target]:
                print(f"      {results[target]['invariant']}")
                if results[target]["invariant"].startswith("BROKEN"):
                    broken.append(row.key)
            for note in results[target]["notes"][:3]:
                print(f"      {note}")
        ratio = results["parentapp"]["rps"] / max(results["ceiling"]["rps"], 1e-9)
        lines.append(f"| {row.label} | {cell(results['parentapp'])} | "
                     f"{cell(results['bare'], False)} | {cell(results['ceiling'])} | "
                     f"{ratio:.2f} |")
    return lines


# -- main ----------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL")
    parser.add_argument("--nurseries", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each, unmeasured")
    parser.add_argument("--rows", default="search,mix,detail,slots,health,classes,booking,hot,"
                                         "plan,dispatch")
    parser.add_argument("--children", default="100000",
                        help="children for the plan row (comma-separated sizes)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=4)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups below
    os.environ["PARENTAPP_SECRET_KEY"] = SECRET  # tokens are hashed with the servers' key
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.pg, tmp) as url:
        print(f"database {url.rsplit('/', 1)[-1]}: seeding")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        with app.app_context():
            db.create_all()
            ensure_townships()
            data = seed(args.nurseries, max(200, 40 * (args.duration + args.warmup)),
                        random.Random(18))
            db.session.remove()
            db.engine.dispose()
        all_rows = rows_for(data)
        keys = [key.strip() for key in args.rows.split(",") if key.strip()]
        rows = [all_rows[key] for key in keys if key not in JOB_ROWS]
        env = {**os.environ, "PARENTAPP_ENV": "production", "PARENTAPP_SECRET_KEY": SECRET,
               "PARENTAPP_DATABASE_URL": url, "PARENTAPP_LIMITS": '{"bookings_per_minute": 0}',
               "PYTHONPATH": str(ROOT)}
        log = Path(tmp) / "servers.log"
        with Servers(args.workers, args.threads) as servers:
            try:
                bases = {"parentapp": servers.serve("parentapp:create_app()", env, log=log),
                         "bare": servers.serve("bench.harness:bare_app()", env, "/", log=log),
                         "ceiling": servers.serve("bench.ceiling:app", env, log=log)}
                print("body check")
                for row in rows:
                    check_bodies(row, bases, data)
                print(f"load: wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s "
                      f"(+{args.warmup}s warm-up) against gunicorn -w {args.workers} "
                      f"--threads {args.threads} -k gthread")
                broken: list[str] = []
                driver = Driver(args, bases, write_plans(data, Path(tmp)), data, Path(tmp), url)
                table = measure(args, rows, driver, broken)
            except BaseException:
                lines = log.read_text(errors="replace").splitlines() if log.exists() else []
                lines = [line for line in lines if '"status": 2' not in line]  # no 2xx lines
                print("server log (last lines):\n" + "\n".join(lines[-20:]))
                raise
        print(f"\n{args.nurseries:,} nurseries, {os.cpu_count()} CPUs (shared: indicative)\n")
        print("\n".join(table))
        if any(key in JOB_ROWS for key in keys):
            print("\njobs (each on its own database, dropped after):")
            print("\n".join(job_table(args, keys)))
        if broken:
            sys.exit(f"invariant broken in: {', '.join(broken)}")


if __name__ == "__main__":
    main()
