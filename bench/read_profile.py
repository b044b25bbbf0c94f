"""cProfile of the hot reads (nursery detail, health plan, class listing) through the Flask
test client, on a PostgreSQL database seeded like ``make bench`` (bench.scale_seed; dropped
after). Prints requests per second and the top functions by cumulative time per row.

    .venv/bin/python bench/read_profile.py [--pg postgresql://...] [--requests 300]
        [--rows detail,health,classes] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import DEFAULT_PG, SECRET  # noqa: E402
from bench.scale_seed import seed  # noqa: E402
from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--nurseries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rows", default="detail,health,classes")
    parser.add_argument("--top", type=int, default=25)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.pg, tmp) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        with app.app_context():
            db.create_all()
            ensure_townships()
            data = seed(args.nurseries, 200, random.Random(18))
            db.session.remove()
        token, child = data["health"]
        rows = {"detail": (f"/api/v1/nurseries/{data['nursery_id']}", {}),
                "health": (f"/api/v1/children/{child}/health-plan",
                           {"Authorization": f"Bearer {token}"}),
                "classes": ("/api/v1/classes", {})}
        client = app.test_client()
        for key in args.rows.split(","):
            path, headers = rows[key]
            for _ in range(20):  # warm: compiled statements, pool, caches
                assert client.get(path, headers=headers).status_code == 200
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for _ in range(args.requests):
                client.get(path, headers=headers)
            profile.disable()
            rps = args.requests / (time.perf_counter() - started)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(f"== {key} {path}: {rps:,.0f} req/s under the profiler")
            print(out.getvalue())
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
