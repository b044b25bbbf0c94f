"""Bookings under load on PostgreSQL, against a really served app (gunicorn on localhost).

Two figures, each beside a bare Flask JSON endpoint served the same way and measured in
the same run (the ratio is what to watch):

1. Slot listing: ``GET /nurseries/{id}/slots`` for a 31-day range (every care type, ~400
   slots), sequential requests, against a bare ``GET`` answering a small JSON object.
2. Booking throughput: ``--clients`` concurrent clients (threads with keep-alive
   sessions) sending ``POST /bookings`` with fresh Idempotency-Keys, against a bare
   ``POST`` echoing its JSON. Two cases: every client on one hot slot (one row lock for
   everybody) and clients spread over 31 days of slots.

    .venv/bin/python bench/booking_bench.py \
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--listings 200] \
        [--bookings 1600] [--clients 32] [--workers 4] [--threads 8]

Needs a PostgreSQL server (``--pg`` or PARENTAPP_TEST_DATABASE_URL); the script makes
a throwaway database and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import SECRET, Servers  # noqa: E402
from bench.scale_seed import make_families  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import Nursery, Offering, Slot, User, utcnow  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from parentapp.timeutil import add_months, local_today  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402

DAYS = 31
HOURS = {"day": ["08:00", "17:00"], "am": ["08:00", "12:00"], "pm": ["13:00", "17:00"]}


# -- data ----------------------------------------------------------------------------------


def seed(clients: int, bookings: int) -> dict:
    """A nursery with every care type over 31 days, and families with tokens."""
    now = utcnow()
    born = add_months(local_today(now), -12)
    operator = User(role="operator", username="bench-operator", created_at=now)
    db.session.add(operator)
    db.session.flush()
    nursery = Nursery(
        operator_id=operator.id, name="压测托育中心", address="南宾街道万寿大道1号",
        township="500240001", lat=29.999, lng=108.114, phone="13800000000", kind="nursery",
        licensed_places=1_000_000, opening_hours=HOURS, registration_type="for_profit",
        credit_code="91500240MA0000001X", filing_status="approved", created_at=now)
    db.session.add(nursery)
    db.session.flush()
    for care_type in ("full_day", "half_day", "hourly", "temporary"):
        db.session.add(Offering(nursery_id=nursery.id, care_type=care_type, price_fen=10000,
                                age_min_months=0, age_max_months=36, book_ahead_days=62,
                                min_notice_hours=0, cancel_cutoff_hours=0, updated_at=now))
    first = local_today(now) + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range(DAYS)]
    rows = []
    for day in days:
        spans = ([("full_day", clock(8), clock(17)), ("temporary", clock(8), clock(17)),
                  ("half_day", clock(8), clock(12)), ("half_day", clock(13), clock(17))]
                 + [("hourly", clock(h), clock(h + 1)) for h in range(8, 17)])
        rows += [{"nursery_id": nursery.id, "care_type": c, "date": day, "start_time": s,
                  "end_time": e, "capacity": 100_000, "booked": 0, "held": 0,
                  "status": "open", "created_at": now, "updated_at": now}
                 for c, s, e in spans]
    db.session.execute(db.insert(Slot), rows)
    full_days = dict(db.session.execute(db.select(Slot.date, Slot.id).where(
        Slot.care_type == "full_day")).all())
    families = []
    per_client = bookings // clients + 1
    for n in range(clients):  # one parent each, guardian of its children (child_people)
        pairs = make_families(f"c{n}", 1, 2 * per_client, now, born)
        families.append({"headers": {"Authorization": f"Bearer {pairs[0][0]}"},
                         "children": [child for _, child in pairs]})
    db.session.commit()
    return {"nursery_id": nursery.id, "from": days[0], "to": days[-1],
            "full_days": [full_days[d] for d in days], "families": families,
            "slots": len(rows)}


# -- servers -------------------------------------------------------------------------------


# -- measurements --------------------------------------------------------------------------


def sequential(url: str, count: int, headers=None) -> list[float]:
    session, timings = requests.Session(), []
    session.get(url, headers=headers, timeout=30).raise_for_status()  # warm up
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, headers=headers, timeout=30)
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
    return timings


def concurrent(clients: int, total: int, make_request) -> tuple[float, list[float], dict]:
    """``total`` requests from ``clients`` threads; returns (seconds, latencies, statuses)."""
    per_client = total // clients
    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker(index: int) -> None:
        session = requests.Session()
        mine, seen = [], {}
        barrier.wait()
        for n in range(per_client):
            started = time.perf_counter()
            response = make_request(session, index, n)
            mine.append(time.perf_counter() - started)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def describe(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (f"mean {statistics.mean(timings) * 1000:7.2f} ms  p50 "
            f"{statistics.median(timings) * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms")


def booking_case(label, app_base, bare_base, data, args, pick_slot, first_child) -> None:
    """Each booking is a new child's (the overlap rule would refuse a child twice)."""
    families = data["families"]

    def book(session, index, n):
        family = families[index]
        return session.post(f"{app_base}/api/v1/bookings", timeout=60, json={
            "child_id": family["children"][first_child + n], "slot_ids": [pick_slot(index, n)]},
            headers={**family["headers"], "Idempotency-Key": str(uuid.uuid4())})

    def bare(session, index, n):
        return session.post(f"{bare_base}/bare", json={"child_id": n, "slot_ids": [index]},
                            timeout=60)

    seconds, latencies, statuses = concurrent(args.clients, args.bookings, book)
    bare_seconds, bare_latencies, _ = concurrent(args.clients, args.bookings, bare)
    rate, bare_rate = len(latencies) / seconds, len(bare_latencies) / bare_seconds
    print(f"\n{label}: {len(latencies)} bookings from {args.clients} clients, statuses "
          f"{statuses}")
    print(f"  POST /bookings : {rate:8.1f} req/s   {describe(latencies)}")
    print(f"  bare POST      : {bare_rate:8.1f} req/s   {describe(bare_latencies)}")
    print(f"  throughput ratio bare/app: {bare_rate / rate:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get(
        "PARENTAPP_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=1600)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    os.environ["PARENTAPP_SECRET_KEY"] = SECRET  # the servers must check the same tokens
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.pg, tmp) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        with app.app_context():
            db.create_all()
            ensure_townships()
            data = seed(args.clients, args.bookings)
            db.session.remove()
            db.engine.dispose()
        env = {**os.environ, "PARENTAPP_DATABASE_URL": url, "PARENTAPP_SECRET_KEY": SECRET,
               "PARENTAPP_ENV": "development"}
        # bench.harness starts each gunicorn in its own process group and ends the group
        # (SIGTERM, then SIGKILL after a bounded wait), so no worker is left behind.
        with Servers(args.workers, args.threads) as servers:
            run(args, data, servers.serve("parentapp:create_app()", env),
                servers.serve("bench.harness:bare_app()", env, "/bare"))


def run(args, data, app_base: str, bare_base: str) -> None:
    print(f"PostgreSQL, gunicorn {args.workers} workers x {args.threads} threads (gthread), "
          f"{os.cpu_count()} CPUs; {data['slots']} slots over {DAYS} days")
    query = f"from={data['from'].isoformat()}&to={data['to'].isoformat()}"
    listing_url = f"{app_base}/api/v1/nurseries/{data['nursery_id']}/slots?{query}"
    items = len(requests.get(listing_url, timeout=30).json()["items"])
    listing = sequential(listing_url, args.listings)
    bare = sequential(f"{bare_base}/bare", args.listings)
    print(f"\nslot listing, {DAYS}-day range ({items} slots), {args.listings} sequential requests")
    print(f"  GET .../slots  : {describe(listing)}")
    print(f"  bare GET       : {describe(bare)}")
    print(f"  latency ratio app/bare: {statistics.mean(listing) / statistics.mean(bare):.1f}x")
    hot = data["full_days"][0]
    booking_case("one hot slot", app_base, bare_base, data, args, lambda i, n: hot, 0)
    spread = data["full_days"]
    booking_case("spread over 31 days", app_base, bare_base, data, args,
                 lambda i, n: spread[(i * 7 + n) % len(spread)], args.bookings // args.clients)


if __name__ == "__main__":
    main()
