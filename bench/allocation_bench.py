"""Allocating monthly places (入托申请): 2,000 applications over 50 nurseries on PostgreSQL.

A throwaway database gets 50 filed nurseries in 5 townships, each with a full-day slot
on every weekday of the month and an open round of 10 places (500 places), and 2,000
children whose families apply to 3 nurseries chosen at random. Then, timed side by side:

- read: the same rows allocation reads (rounds, applications with their choices, the
  families' townships, siblings' bookings), as plain SELECTs through psycopg;
- allocate: ``allocation.allocate_month`` (priorities, the match, offers, messages,
  places given back), one transaction;
- again: a second run (finds the month allocated, changes nothing).

    .venv/bin/python bench/allocation_bench.py \
        --postgres postgresql://postgres@127.0.0.1:5432/postgres [--applications 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from parentapp import create_app  # noqa: E402
from parentapp.extensions import db  # noqa: E402
from parentapp.models import (  # noqa: E402
    Application,
    ApplicationChoice,
    Child,
    ChildPerson,
    Nursery,
    Offering,
    PlaceRound,
    Slot,
    User,
)
from parentapp.services.nurseries.offerings import default_terms  # noqa: E402
from parentapp.services.places import allocation  # noqa: E402
from parentapp.services.stats.townships import ensure_townships  # noqa: E402
from parentapp.timeutil import local_instant, month_range  # noqa: E402
from tests.dbutil import temporary_database  # noqa: E402

MONTH = "2027-03"
NOW = local_instant(date(2027, 2, 20), clock(10))
CLOSES = local_instant(date(2027, 2, 15), clock(0))
TOWNSHIPS = ["500240001", "500240002", "500240003", "500240100", "500240101"]
NURSERIES, PLACES = 50, 10


def _build(applications: int) -> None:
    rng = random.Random(7)
    ensure_townships()
    operator = User(role="operator", username="bench-op", created_at=NOW)
    db.session.add(operator)
    db.session.flush()
    nursery_ids = _nurseries(operator.id)
    first, last = month_range(MONTH)
    days = [first + timedelta(n) for n in range((last - first).days + 1)
            if (first + timedelta(n)).isoweekday() <= 5]
    db.session.execute(insert(Slot), [
        {"nursery_id": n, "care_type": "full_day", "date": d, "start_time": clock(8),
         "end_time": clock(17, 30), "capacity": 20, "booked": 0, "held": 0,
         "round_held": PLACES, "status": "open", "created_at": NOW, "updated_at": NOW}
        for n in nursery_ids for d in days])
    rounds = db.session.scalars(insert(PlaceRound).returning(PlaceRound.id), [
        {"nursery_id": n, "month": MONTH, "care_type": "full_day", "places": PLACES,
         "held": PLACES, "closes_at": CLOSES, "priority_rules": ["township", "siblings"],
         "seed": f"seed-{n}", "status": "open", "created_at": NOW}
        for n in nursery_ids]).all()
    _families(rng, applications, list(zip(nursery_ids, rounds, strict=True)))
    db.session.commit()


def _nurseries(operator_id: int) -> list[int]:
    ids = db.session.scalars(insert(Nursery).returning(Nursery.id), [
        {"operator_id": operator_id, "name": f"托育中心{n}", "address": f"地址{n}",
         "township": TOWNSHIPS[n % 5], "lat": 30.0, "lng": 108.1, "phone": "13800000000",
         "kind": "nursery", "inclusive": False, "licensed_places": 60,
         "opening_hours": {"day": ["08:00", "17:30"]}, "registration_type": "for_profit",
         "credit_code": f"9150024000000{n:04d}X", "description": "", "open_to_public": True,
         "filing_status": "approved", "filing_no": f"B{n:05d}", "filed_on": date(2025, 1, 6),
         "created_at": NOW} for n in range(NURSERIES)]).all()
    db.session.execute(insert(Offering), [
        {**default_terms("full_day"), "nursery_id": n, "care_type": "full_day",
         "price_fen": 100000, "updated_at": NOW} for n in ids])
    return ids


def _families(rng, count: int, rounds: list[tuple[int, int]]) -> None:
    parents = db.session.scalars(insert(User).returning(User.id), [
        {"role": "parent", "wechat_openid": f"bench-{n}", "township": TOWNSHIPS[n % 5],
         "created_at": NOW} for n in range(count)]).all()
    children = db.session.scalars(insert(Child).returning(Child.id), [
        {"name": f"孩子{n}", "birth_date": date(2025, 6, 1), "gender": "male",
         "created_at": NOW} for n in range(count)]).all()
    db.session.execute(insert(ChildPerson), [
        {"child_id": c, "user_id": p, "role": "guardian", "reminders": True, "since": NOW}
        for p, c in zip(parents, children, strict=True)])
    apps = db.session.scalars(insert(Application).returning(Application.id), [
        {"child_id": c, "applied_by": p, "month": MONTH, "care_type": "full_day",
         "status": "submitted", "created_at": NOW, "updated_at": NOW}
        for p, c in zip(parents, children, strict=True)]).all()
    db.session.execute(insert(ApplicationChoice), [
        {"application_id": a, "rank": rank, "round_id": r, "nursery_id": n}
        for a in apps
        for rank, (n, r) in enumerate(rng.sample(rounds, 3), start=1)])


def _read(url: str) -> int:
    """The rows allocation reads, as plain SELECTs: the ceiling of any allocation."""
    first, last = month_range(MONTH)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        rows = conn.execute("SELECT * FROM place_rounds WHERE month = %s AND status = 'open' "
                            "ORDER BY id FOR UPDATE", (MONTH,)).fetchall()
        rows += conn.execute(
            "SELECT a.*, c.* FROM applications a JOIN application_choices c "
            "ON c.application_id = a.id WHERE a.status = 'submitted' AND a.month = %s "
            "ORDER BY a.id", (MONTH,)).fetchall()
        rows += conn.execute(
            "SELECT cp.child_id, u.township FROM child_people cp JOIN users u "
            "ON u.id = cp.user_id JOIN applications a ON a.child_id = cp.child_id "
            "WHERE a.month = %s AND cp.role = 'guardian'", (MONTH,)).fetchall()
        rows += conn.execute(
            "SELECT DISTINCT s.nursery_id FROM booking_slots bs JOIN slots s "
            "ON s.id = bs.slot_id WHERE s.date BETWEEN %s AND %s", (first, last)).fetchall()
        rows += conn.execute(
            "SELECT * FROM slots WHERE care_type = 'full_day' AND date BETWEEN %s AND %s "
            "ORDER BY id FOR UPDATE", (first, last)).fetchall()
        conn.rollback()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--applications", type=int, default=2000)
    args = parser.parse_args()
    with temporary_database(args.postgres, "/tmp") as url:
        app = create_app({"PARENTAPP_ENV": "testing", "SECRET_KEY": "b" * 48,
                          "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            print(f"building {args.applications} applications over {NURSERIES} nurseries ...",
                  flush=True)
            _build(args.applications)
            started = time.perf_counter()
            rows = _read(url)
            read_s = time.perf_counter() - started
            started = time.perf_counter()
            result = allocation.allocate_month(MONTH, NOW, offer_minutes=120)
            allocate_s = time.perf_counter() - started
            started = time.perf_counter()
            again = allocation.allocate_month(MONTH, NOW, offer_minutes=120)
            again_s = time.perf_counter() - started
            db.session.remove()
    print(f"| step | seconds | note |\n|---|---|---|\n"
          f"| read the same rows (psycopg) | {read_s:.2f} | {rows} rows |\n"
          f"| allocate-places | {allocate_s:.2f} | {result['offered']} offered, "
          f"{result['unplaced']} unplaced, {result['rounds']} rounds |\n"
          f"| second run | {again_s:.2f} | {again['rounds']} rounds changed |")


if __name__ == "__main__":
    main()
