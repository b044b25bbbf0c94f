"""Latency of parent search (GET /api/v1/nurseries) at 10,000 and 100,000 nurseries.

For each database (a SQLite file, and PostgreSQL when a server URL is given) and each
size, the script creates a throwaway database, bulk-inserts N nurseries spread over
Shizhu county (90% approved), then sends random queries single-client through the
Flask test client, and the same number of requests to a bare JSON endpoint on the same
app as a baseline. It prints median and p95 in milliseconds.

    .venv/bin/python bench/search_bench.py \
        --postgres postgresql://postgres@127.0.0.1:5432/postgres

Query mix (per 1,000): 70% a position with the default 5 km radius, 15% a radius of
1-20 km, 5% the maximum 50 km (the whole county: every approved nursery is a
candidate), 10% no position (by name, with a township or name filter).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.scale_seed import LAT, LNG, bulk, nursery_rows  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import Nursery, User, utcnow  # noqa: E402
from parentapp.services.stats.townships import ensure_townships, township_codes  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402


def seed(n: int, rnd: random.Random) -> None:
    """``n`` nurseries spread over the county, 90% approved (bench.scale_seed's rows)."""
    operator = User(role="operator", username="bench-operator", created_at=utcnow())
    db.session.add(operator)
    db.session.flush()
    bulk(Nursery, nursery_rows(n, operator.id, rnd, utcnow()))
    db.session.commit()
    # Fresh statistics and visibility map, as autovacuum would leave a settled table.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE nurseries" if db.engine.dialect.name == "postgresql"
                          else "ANALYZE"))


def random_query(rnd: random.Random) -> tuple[str, str]:
    lat, lng = rnd.uniform(*LAT), rnd.uniform(*LNG)
    roll = rnd.random()
    if roll < 0.70:
        return "5 km", f"lat={lat:.5f}&lng={lng:.5f}"
    if roll < 0.85:
        return "1-20 km", f"lat={lat:.5f}&lng={lng:.5f}&radius_km={rnd.uniform(1, 20):.2f}"
    if roll < 0.90:
        return "50 km", f"lat={lat:.5f}&lng={lng:.5f}&radius_km=50"
    if rnd.random() < 0.5:
        return "by name", f"township={rnd.choice(sorted(township_codes()))}"
    return "by name", f"q={rnd.choice('南万下西黄沙马龙')}托育园{rnd.randint(0, 99)}"


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.get_data(True)}")
    return elapsed


def summary(samples: list[float]) -> str:
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    return f"median {statistics.median(samples):7.2f} ms  p95 {p95:7.2f} ms  (n={len(samples)})"


def run(server: str | None, size: int, queries: int, tmp: str) -> None:
    label = "postgresql" if server else "sqlite"
    rnd = random.Random(size)
    with temporary_database(server, Path(tmp)) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40,
                          "SQLALCHEMY_ENGINE_OPTIONS": {}})
        app.add_url_rule("/bench/ping", "bench_ping", lambda: jsonify({"ok": True}))
        with app.app_context():
            db.create_all()
            ensure_townships()
            started = time.perf_counter()
            seed(size, rnd)
            seconds = time.perf_counter() - started
            print(f"\n{label}, {size:,} nurseries (seeded in {seconds:.1f} s)")
            db.session.remove()
        client = app.test_client()
        by_kind: dict[str, list[float]] = {}
        for _ in range(queries):
            kind, query = random_query(rnd)
            by_kind.setdefault(kind, []).append(timed(client, f"/api/v1/nurseries?{query}"))
        baseline = [timed(client, "/bench/ping") for _ in range(queries)]
        everything = [t for samples in by_kind.values() for t in samples]
        print(f"  search, all      {summary(everything)}")
        for kind in ("5 km", "1-20 km", "50 km", "by name"):
            print(f"    {kind:<14} {summary(by_kind[kind])}")
        print(f"  bare baseline    {summary(baseline)}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is created there)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    servers = ([] if args.skip_sqlite else [None]) + ([args.postgres] if args.postgres else [])
    with tempfile.TemporaryDirectory() as tmp:
        for server in servers:
            for size in args.sizes:
                run(server, size, args.queries, tmp)


if __name__ == "__main__":
    main()
