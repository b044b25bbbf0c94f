"""Parenting classes under load: a crowd enrolling at once, and the public list.

Each figure is printed beside a bare baseline measured in the same run, on the
same database and threads: the crowd against the same number of authenticated
``GET /me`` requests (token check, no class work), the list against ``GET /meta``.

    .venv/bin/python bench/class_enrollment.py [--families 100] [--classes 200]
    PARENTAPP_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/class_enrollment.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import utcnow  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402
from tests.factories import bearer, make_class, make_enrollment, make_user  # noqa: E402
from tests.sqlcount import count_statements  # noqa: E402


def crowd(app, requests):
    """Fire ``(method, url, headers)`` requests from one thread each, released together."""
    barrier = threading.Barrier(len(requests))
    timings: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)

    def worker(i, method, url, headers):
        client = app.test_client()
        barrier.wait()
        started = time.perf_counter()
        response = client.open(url, method=method, headers=headers,
                               json={} if method == "POST" else None)
        timings[i] = time.perf_counter() - started
        statuses[i] = response.status_code

    threads = [threading.Thread(target=worker, args=(i, *r)) for i, r in enumerate(requests)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, timings, statuses


def describe(label, wall, timings, statuses):
    ordered = sorted(timings)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    codes = {code: statuses.count(code) for code in sorted(set(statuses))}
    print(f"  {label:<28} wall {wall * 1000:7.1f} ms  p50 {statistics.median(ordered) * 1000:6.1f}"
          f" ms  p95 {p95 * 1000:6.1f} ms  max {ordered[-1] * 1000:6.1f} ms  statuses {codes}")


def bench_crowd(app, families: int):
    with app.app_context():
        cls = make_class(capacity=max(1, families // 3))
        class_id, capacity = cls.id, cls.capacity
        headers = [bearer(make_user("parent")) for _ in range(families)]
        db.session.remove()
    print(f"{families} families at once, class of {capacity}:")
    describe("baseline GET /me", *crowd(app, [("GET", "/api/v1/me", h) for h in headers]))
    url = f"/api/v1/classes/{class_id}/enrollments"
    describe("POST enrollments", *crowd(app, [("POST", url, h) for h in headers]))
    with app.app_context():
        detail = app.test_client().get(f"/api/v1/classes/{class_id}").get_json()
    print(f"  result: enrolled {detail['enrolled']}, waitlist {detail['waitlist_length']}")


def bench_list(app, classes: int, rounds: int = 50):
    with app.app_context():
        for n in range(classes):
            cls = make_class(lat=29.9 + (n % 50) * 0.01, lng=108.0 + (n % 40) * 0.01,
                             capacity=5, **schedule(n))
            for status in ("enrolled", "enrolled", "waitlisted"):
                make_enrollment(cls, status=status)
        db.session.remove()
    client = app.test_client()
    query = {"lat": 30.0, "lng": 108.1, "per_page": 100}
    for label, url, params in (("baseline GET /meta", "/api/v1/meta", None),
                               ("GET /classes (100/page)", "/api/v1/classes", query)):
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            assert client.get(url, query_string=params).status_code == 200
            timings.append(time.perf_counter() - started)
        print(f"  {label:<28} mean {statistics.mean(timings) * 1000:6.2f} ms"
              f"  p50 {statistics.median(timings) * 1000:6.2f} ms over {rounds} requests")
    with app.app_context(), count_statements() as statements:
        client.get("/api/v1/classes", query_string=query)
    print(f"  statements per page of 100: {len(statements)}")


def schedule(n: int) -> dict:
    starts = utcnow() + timedelta(days=2 + n % 60, hours=n % 7)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "enroll_deadline": starts - timedelta(days=1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=100)
    parser.add_argument("--classes", type=int, default=200)
    args = parser.parse_args()
    server = os.environ.get("PARENTAPP_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp, temporary_database(server, tmp) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40,
                          "LOCK_TIMEOUT_MS": 10000})
        with app.app_context():
            db.create_all()
            ensure_townships()
            print(f"database: {db.engine.dialect.name}")
        bench_crowd(app, args.families)
        print(f"public list with {args.classes} upcoming classes:")
        bench_list(app, args.classes)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
