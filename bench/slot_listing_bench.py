"""Requests per second of the public slot listing (31 days, 403 slots) and the nursery page.

One nursery with all four care types gets 13 slots a day (full day, am and pm, nine
hours, temporary) for 31 days, some booked. The script then sends the same GET again
and again through the Flask test client, single-threaded, for ``--seconds`` per endpoint,
and prints requests per second (and a bare JSON endpoint on the same app for scale).
"schema path" is the listing as it was answered before issue 18 (ORM objects,
``SlotListSchema`` dump, ``jsonify``) on a bench-only route, for a same-run comparison.
A run is one process on whatever else the machine is doing; compare figures from the
same run, interleaved (``--rounds``), not across runs.

    .venv/bin/python bench/slot_listing_bench.py [--postgres postgresql://...] [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify, request  # noqa: E402

from parentapp import create_app, service_settings  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import Slot, utcnow  # noqa: E402
from parentapp.schemas.slots import SlotListSchema  # noqa: E402
from parentapp.services.nurseries import slots  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from parentapp.timeutil import local_today  # noqa: E402
from tests.booking_factories import make_offering, slot_hours  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402
from tests.factories import make_nursery  # noqa: E402

DAYS = 31
SHAPES = ([("full_day", {}), ("temporary", {}), ("half_day", {"part": "am"}),
           ("half_day", {"part": "pm"})] + [("hourly", {"hour": h}) for h in range(8, 17)])


def seed() -> tuple[int, str, str]:
    nursery = make_nursery()
    for care_type in ("full_day", "half_day", "hourly", "temporary"):
        make_offering(nursery, care_type, book_ahead_days=62)
    first, now = local_today(utcnow()), utcnow()
    rows = []
    for n in range(DAYS):
        for i, (care_type, how) in enumerate(SHAPES):
            start, end = slot_hours(care_type, **how)
            rows.append({"nursery_id": nursery.id, "care_type": care_type,
                         "date": first + timedelta(days=n), "start_time": start,
                         "end_time": end, "capacity": 10, "booked": (n + i) % 11,
                         "held": 0, "round_held": 0, "status": "open",
                         "closed_reason": None, "created_at": now, "updated_at": now})
    db.session.execute(db.insert(Slot), rows)
    db.session.commit()
    return nursery.id, first.isoformat(), (first + timedelta(days=DAYS - 1)).isoformat()


def schema_path_listing(nursery_id: int):
    """The slot listing's view as it was: ORM objects dumped by the schema, then jsonify."""
    views = slots.list_slots(nursery_id, day_from=date.fromisoformat(request.args["from"]),
                             day_to=date.fromisoformat(request.args["to"]), care_type=None,
                             now=utcnow(), offer_minutes=service_settings.offer_minutes())
    return jsonify(SlotListSchema().dump({"items": views}))


def rate(client, url: str, seconds: float, headers: dict | None = None) -> float:
    count, stop = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        response = client.get(url, headers=headers or {})
        assert response.status_code in (200, 304), (url, response.status_code)
        count += 1
    return count / (time.perf_counter() - started)


def run(url: str, seconds: float, rounds: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop"})
    logging.getLogger("parentapp").setLevel(logging.WARNING)  # no access line per request
    app.add_url_rule("/bench/bare", "bench_bare", lambda: jsonify({}))
    app.add_url_rule("/bench/schema-slots/<int:nursery_id>", "bench_schema_slots",
                     schema_path_listing)
    with app.app_context():
        db.create_all()
        ensure_townships()
        nursery_id, first, last = seed()
        db.session.remove()
    client = app.test_client()
    listing = f"/api/v1/nurseries/{nursery_id}/slots?from={first}&to={last}"
    body = client.get(listing)
    print(f"{db_name(url)}: {len(body.get_json()['items'])} slots, {len(body.data)} bytes")
    etag = body.headers.get("ETag")
    old = client.get(listing.replace(f"/api/v1/nurseries/{nursery_id}/slots",
                                     f"/bench/schema-slots/{nursery_id}"))
    assert old.get_data() == body.get_data(), "the two paths must answer the same bytes"
    cases = [("slot listing, 31 days", listing, None),
             ("slot listing, schema path (before)", old.request.url, None),
             ("nursery detail", f"/api/v1/nurseries/{nursery_id}", None),
             ("bare {} endpoint", "/bench/bare", None)]
    if etag:
        cases.insert(1, ("slot listing, If-None-Match (304)", listing, {"If-None-Match": etag}))
    results: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(rounds):
        for name, path, headers in cases:
            results[name].append(rate(client, path, seconds, headers))
    for name, figures in results.items():
        shown = ", ".join(f"{f:.0f}" for f in figures)
        print(f"  {name:36} best {max(figures):7.0f} req/s   (rounds: {shown})")


def db_name(url: str) -> str:
    return url.split(":", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, temporary_database(None, Path(tmp)) as url:
        run(url, args.seconds, args.rounds)
    if args.postgres:
        with tempfile.TemporaryDirectory() as tmp, \
                temporary_database(args.postgres, Path(tmp)) as url:
            run(url, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
