"""The bench's database at scale, with Core bulk inserts (executemany), in the app context.

Nurseries spread over Shizhu county (90% approved) with offerings; one nursery with 31
days of every care type (~400 slots); parents with children (each its own guardian)
and API tokens, in two pools so that the app and the raw-SQL ceiling book for
different children (the overlap rule would refuse a child's second booking of a day);
and 200 more parents with a few "hot" full-day slots of 50 places after those days.
"""

from __future__ import annotations

import random
import time
from datetime import time as clock
from datetime import timedelta

from sqlalchemy import text

from parentapp import service_settings
from parentapp.extensions import db
from parentapp.models import (
    AuthToken,
    Child,
    ChildPerson,
    ClassEnrollment,
    HealthRecord,
    Nursery,
    Offering,
    ParentingClass,
    Slot,
    User,
    utcnow,
)
from parentapp.services.stats.townships import township_codes
from parentapp.timeutil import add_months, local_today

LAT, LNG = (29.65, 30.53), (107.98, 108.57)
HOURS = {"day": ["08:00", "17:00"], "am": ["08:00", "12:00"], "pm": ["13:00", "17:00"]}
CARE_TYPES = ("full_day", "half_day", "hourly", "temporary")
DAYS = 31
CHUNK = 5000
HOT_PARENTS, HOT_CAPACITY, HOT_SLOTS = 200, 50, 6  # "200 parents on one slot"


def bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(db.insert(model), rows[start:start + CHUNK])


def _returning(model):
    return db.insert(model).returning(model.id, sort_by_parameter_order=True)


def nursery_rows(n: int, operator_id: int, rnd: random.Random, now) -> list[dict]:
    towns = sorted(township_codes())
    rows = []
    for i in range(n):
        approved = rnd.random() < 0.9
        rows.append({
            "operator_id": operator_id, "name": f"{rnd.choice('南万下西黄沙马龙')}托育园{i:06d}",
            "address": f"某路 {i} 号", "township": rnd.choice(towns),
            "lat": rnd.uniform(*LAT), "lng": rnd.uniform(*LNG), "phone": "13800000000",
            "kind": rnd.choice(["nursery", "nursery", "kindergarten_class", "employer"]),
            "inclusive": rnd.random() < 0.3, "licensed_places": rnd.randint(10, 120),
            "opening_hours": HOURS, "registration_type": "for_profit",
            "credit_code": f"{i:018d}", "description": "压测数据",
            "open_to_public": rnd.random() < 0.5,
            "filing_status": "approved" if approved else "pending",
            "filing_no": f"渝石卫托备{i:06d}" if approved else None,
            "filed_on": (local_today(now) - timedelta(days=30)) if approved else None,
            "created_at": now, "updated_at": now})
    return rows


def _offering_rows(nursery_ids: list[int], rnd: random.Random, now) -> list[dict]:
    rows = []
    for nid in nursery_ids:
        for care_type in rnd.sample(CARE_TYPES, rnd.randint(1, 4)):
            rows.append({"nursery_id": nid, "care_type": care_type,
                         "price_fen": rnd.randint(50, 300) * 100, "age_min_months": 0,
                         "age_max_months": 36, "book_ahead_days": 62, "min_notice_hours": 0,
                         "cancel_cutoff_hours": 0, "updated_at": now})
    return rows


def _slot_rows(nursery_id: int, first, now) -> list[dict]:
    rows = []
    for day in (first + timedelta(days=n) for n in range(DAYS)):
        spans = ([("full_day", clock(8), clock(17)), ("temporary", clock(8), clock(17)),
                  ("half_day", clock(8), clock(12)), ("half_day", clock(13), clock(17))]
                 + [("hourly", clock(h), clock(h + 1)) for h in range(8, 17)])
        rows += [{"nursery_id": nursery_id, "care_type": c, "date": day, "start_time": s,
                  "end_time": e, "capacity": 100_000, "booked": 0, "held": 0,
                  "status": "open", "created_at": now, "updated_at": now}
                 for c, s, e in spans]
    return rows


def make_families(pool: str, parents: int, children_each: int, now, born) -> list[tuple[str, int]]:
    """(raw token, child id) for each child of ``parents`` new parents."""
    policy = service_settings.token_policy()
    user_ids = list(db.session.scalars(_returning(User), [
        {"role": "parent", "wechat_openid": f"bench-{pool}-{n}", "nickname": f"家长{n}",
         "created_at": now} for n in range(parents)]))
    child_ids = list(db.session.scalars(_returning(Child), [
        {"name": "压测", "birth_date": born, "gender": "male", "je_choice": "live",
         "hepa_choice": "live", "created_at": now}
        for _ in range(parents * children_each)]))
    owners = [user_ids[i // children_each] for i in range(len(child_ids))]
    bulk(ChildPerson, [{"child_id": c, "user_id": u, "role": "guardian", "relation": "mother",
                         "reminders": True, "since": now} for c, u in zip(child_ids, owners,
                                                                         strict=True)])
    raws = {u: f"bench-{pool}-{u}-" + "x" * 20 for u in user_ids}
    bulk(AuthToken, [{"user_id": u, "token_hash": policy.digest(raw), "kind": "api",
                       "created_at": now, "expires_at": now + policy.ttl}
                      for u, raw in raws.items()])
    return [(raws[u], c) for c, u in zip(child_ids, owners, strict=True)]


def _classes(count: int, organizer_id: int, families: list[int], rnd: random.Random,
             now) -> None:
    """``count`` classes over the next 60 days, a few seats taken in each."""
    towns = sorted(township_codes())
    rows = []
    for n in range(count):
        starts = (now + timedelta(days=rnd.uniform(-5, 60))).replace(microsecond=0)
        rows.append({
            "organizer_id": organizer_id, "nursery_id": None, "title": f"育儿课堂 {n}",
            "kind": rnd.choice(["parent_class", "parent_child", "home_visit_day"]),
            "township": rnd.choice(towns), "venue": "县妇幼保健院三楼", "lat": rnd.uniform(*LAT),
            "lng": rnd.uniform(*LNG), "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "enroll_deadline": starts - timedelta(hours=2), "capacity": rnd.randint(10, 40),
            "child_age_min_months": None, "child_age_max_months": 36, "description": "压测",
            "cancelled_at": None, "created_at": now, "updated_at": now})
    class_ids = list(db.session.scalars(_returning(ParentingClass), rows))
    bulk(ClassEnrollment, [
        {"class_id": cid, "family_id": family, "child_id": None,
         "status": rnd.choice(["enrolled", "enrolled", "enrolled", "waitlisted", "left"]),
         "created_at": now} for cid in class_ids for family in rnd.sample(families, 5)])


def seed(nurseries: int, booking_children: int, rnd: random.Random) -> dict:
    """Everything the rows need; returns the ids and tokens they use."""
    now, started = utcnow(), time.perf_counter()
    born = add_months(local_today(now), -12)
    operator_id = db.session.scalar(db.insert(User).returning(User.id).values(
        role="operator", username="bench-operator", created_at=now))
    bulk(Nursery, nursery_rows(nurseries, operator_id, rnd, now))
    bench = nursery_rows(1, operator_id, rnd, now)[0] | {
        "name": "压测托育中心", "kind": "nursery", "filing_status": "approved",
        "filing_no": "渝石卫托备BENCH1", "lat": 29.999, "lng": 108.114,
        "licensed_places": 1000, "credit_code": "91500240MA0000001X", "open_to_public": True}
    nursery_id = db.session.scalar(db.insert(Nursery).returning(Nursery.id).values(**bench))
    ids = list(db.session.scalars(db.select(Nursery.id).where(Nursery.id != nursery_id)))
    bulk(Offering, _offering_rows(ids, rnd, now))
    bulk(Offering, [{"nursery_id": nursery_id, "care_type": c, "price_fen": 10000,
                      "age_min_months": 0, "age_max_months": 36, "book_ahead_days": 62,
                      "min_notice_hours": 0, "cancel_cutoff_hours": 0, "updated_at": now}
                     for c in CARE_TYPES])
    print(f"  {nurseries:,} nurseries and offerings ({time.perf_counter() - started:.1f} s)")
    first = local_today(now) + timedelta(days=1)
    slot_rows = _slot_rows(nursery_id, first, now)
    bulk(Slot, slot_rows)
    full_days = list(db.session.scalars(db.select(Slot.id).where(
        Slot.nursery_id == nursery_id, Slot.care_type == "full_day").order_by(Slot.date)))
    per_parent = 2
    pools = {pool: make_families(pool, booking_children // per_parent + 1, per_parent, now, born)
             for pool in ("app", "ceiling", "check")}
    pools["hot"] = make_families("hot", HOT_PARENTS, 1, now, born)
    hot_slots = list(db.session.scalars(_returning(Slot), [  # after the listed days
        {"nursery_id": nursery_id, "care_type": "full_day", "date": first + timedelta(days=n),
         "start_time": clock(8), "end_time": clock(17), "capacity": HOT_CAPACITY, "booked": 0,
         "held": 0, "status": "open", "created_at": now, "updated_at": now}
        for n in range(DAYS + 1, DAYS + 1 + HOT_SLOTS)]))
    token, health_child = pools["check"][2]  # the second parent's first child
    codes = list(service_settings.health_schedule().by_code)[:8]
    bulk(HealthRecord, [{"child_id": health_child, "code": code, "product": None,
                          "done_on": born + timedelta(days=20 * n), "recorded_at": now}
                         for n, code in enumerate(codes)])
    _classes(300, operator_id, list(db.session.scalars(db.select(User.id).where(
        User.role == "parent").limit(50))), rnd, now)
    db.session.commit()
    print(f"  300 classes; {len(slot_rows)} slots, {3 * booking_children:,} children with tokens "
          f"({time.perf_counter() - started:.1f} s)")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  vacuum analyze done ({time.perf_counter() - started:.1f} s)")
    return {"nursery_id": nursery_id, "from": first, "to": first + timedelta(days=DAYS - 1),
            "slots": len(slot_rows), "full_days": full_days, "pools": pools,
            "hot_slots": hot_slots,
            "health": (token, health_child)}
