"""The scale-out bench's database: one nursery with a few hot slots of small capacity and
spread slots, parents with two children each (tokens, grants for every template), and an
outbox of due vaccine reminders; plus the plan of bookings wrk sends.

Runs in an app context (Core bulk inserts, like bench/scale_seed.py).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from bench.scale_seed import CARE_TYPES, bulk, make_families, nursery_rows
from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db
from parentapp.models import Notification, Nursery, Offering, Slot, SubscriptionGrant, User, utcnow
from parentapp.timeutil import add_months, local_today

GRANTS = 1000  # per parent and template: never the reason a reminder stays unsent


def seed(rnd: random.Random, *, first_day: date, parents: int, hot_slots: int,
         hot_capacity: int, spread_days: int, spread_capacity: int, outbox: int) -> dict:
    """Everything the load needs; returns the families, openids and slot ids."""
    now = utcnow()
    operator_id = db.session.scalar(db.insert(User).returning(User.id).values(
        role="operator", username="scale-operator", created_at=now))
    nursery = nursery_rows(1, operator_id, rnd, now)[0] | {
        "name": "扩容压测托育中心", "kind": "nursery", "filing_status": "approved",
        "filing_no": "渝石卫托备SCALE1", "licensed_places": 1000, "open_to_public": True}
    nursery_id = db.session.scalar(db.insert(Nursery).returning(Nursery.id).values(**nursery))
    bulk(Offering, [{"nursery_id": nursery_id, "care_type": c, "price_fen": 10000,
                      "age_min_months": 0, "age_max_months": 36, "book_ahead_days": 62,
                      "min_notice_hours": 0, "cancel_cutoff_hours": 0, "updated_at": now}
                     for c in CARE_TYPES])
    slot = {"nursery_id": nursery_id, "booked": 0, "held": 0, "status": "open",
            "created_at": now, "updated_at": now}
    bulk(Slot, [slot | {"care_type": "hourly", "date": first_day, "start_time": clock(8 + h),
                        "end_time": clock(9 + h), "capacity": hot_capacity}
                for h in range(hot_slots)])
    bulk(Slot, [slot | {"care_type": "half_day", "date": first_day + timedelta(days=d),
                        "start_time": clock(13), "end_time": clock(17),
                        "capacity": spread_capacity} for d in range(spread_days)])
    ids = {kind: list(db.session.scalars(db.select(Slot.id).where(Slot.care_type == kind)
                                         .order_by(Slot.id))) for kind in ("hourly", "half_day")}
    families = make_families("scale", parents, 2, now, add_months(local_today(now), -12))
    users = db.session.execute(db.select(User.id, User.wechat_openid)
                               .where(User.role == "parent").order_by(User.id)).all()
    bulk(SubscriptionGrant, [{"user_id": uid, "template_kind": kind, "grants": GRANTS,
                              "updated_at": now} for uid, _ in users for kind in SANDBOX_TEMPLATES])
    bulk(Notification, [
        {"user_id": users[n % len(users)][0], "kind": "vaccine", "template_kind": "vaccine",
         "dedupe_key": f"scale:{n}", "title": "疫苗接种提醒", "body": "内容",
         "link": "/pages/index", "wechat_data": {
             "thing1": "百白破疫苗 第1剂", "date2": "2026年12月3日", "name3": "小明",
             "thing4": f"请按时接种 {n}"}, "planned_at": now, "send_after": now,
         "delivery_state": "pending", "attempts": 0, "created_at": now}
        for n in range(outbox)])
    db.session.commit()
    return {"families": families, "openids": [openid for _, openid in users],
            "hot": ids["hourly"], "spread": ids["half_day"]}


def write_plan(data: dict, path: Path, rnd: random.Random, lines: int = 20_000,
               hot_share: float = 0.4) -> Path:
    """``lines`` bookings "token child slot": a random child, a hot slot ``hot_share`` of
    the time, else a spread one (repeats are refused: already booked, or full)."""
    rows = []
    for _ in range(lines):
        token, child = rnd.choice(data["families"])
        slot = rnd.choice(data["hot"] if rnd.random() < hot_share else data["spread"])
        rows.append(f"{token} {child} {slot}")
    path.write_text("\n".join(rows) + "\n")
    return path
