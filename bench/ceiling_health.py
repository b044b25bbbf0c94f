"""The ceiling's ``GET /api/v1/children/{id}/health-plan``: one hand-written statement
(token, the child's people, the child's facts and records, aggregated) and then the app's
pure plan rules (``plan_items``: no database) over the loaded rows, dumped with json.dumps.
The rules are shared on purpose: they are the answer, not its cost in statements."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict
from datetime import UTC, datetime

from flask import Flask, request

from bench.ceiling import answer, conn, error, local_today
from parentapp.services.health.plan import plan_items
from parentapp.services.health.schedule_files import load_schedule

SECRET = os.environ.get("PARENTAPP_SECRET_KEY", "").encode()
SCHEDULE = load_schedule(os.environ.get("PARENTAPP_SCHEDULE_VERSION", "cn-nip-2025"),
                         os.environ.get("PARENTAPP_SCHEDULE_OVERLAY") or None)

PLAN = """
SELECT u.role, c.birth_date, c.je_choice, c.hepa_choice, c.hbsag_mother, c.birth_weight_g,
       array_agg(r.code) FILTER (WHERE r.id IS NOT NULL), array_agg(r.done_on)
         FILTER (WHERE r.id IS NOT NULL), array_agg(r.product) FILTER (WHERE r.id IS NOT NULL)
FROM auth_tokens t JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
JOIN child_people cp ON cp.user_id = u.id AND cp.child_id = %(child)s
JOIN children c ON c.id = cp.child_id
LEFT JOIN health_records r ON r.child_id = c.id
WHERE t.token_hash = %(hash)s AND t.kind = 'api' AND t.revoked_at IS NULL
  AND t.expires_at > %(now)s
GROUP BY u.role, c.id"""


def _iso(value):
    return None if value is None else value.isoformat()


def health_plan(child_id: int):
    now = datetime.now(UTC)
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        return error(401, "unauthorized", "请先登录。")
    row = conn().execute(PLAN, {"child": child_id, "now": now, "hash": hmac.new(
        SECRET, raw.encode(), hashlib.sha256).hexdigest()}).fetchone()
    if row is None:  # (a bad token and a stranger's child are not told apart here)
        return error(404, "not_found", "没有找到这个孩子。")
    role, birth, je, hepa, hbsag, weight, codes, days, products = row
    if role != "parent":
        return error(403, "forbidden", "当前账号无权进行此操作。")
    codes, days, products = codes or [], days or [], products or []
    items = plan_items(SCHEDULE, birth, choices={"je": je, "hepa": hepa},
                       records=dict(zip(codes, days, strict=True)), today=local_today(now),
                       products={c: p for c, p in zip(codes, products, strict=True) if p},
                       hbsag_mother=hbsag, birth_weight_g=weight)
    return answer({"schedule_version": SCHEDULE.version, "items": [{
        "code": i.code, "kind": i.kind, "name": i.name, "due_date": _iso(i.due_date),
        "latest_date": _iso(i.latest_date), "earliest_date": _iso(i.earliest_date),
        "status": i.status, "past_latest": i.past_latest, "done_on": _iso(i.done_on),
        "product": i.product, "catch_up": None if i.catch_up is None else asdict(i.catch_up),
        "advice": [asdict(a) for a in i.advice]} for i in items]})


def register(app: Flask) -> None:
    app.add_url_rule("/api/v1/children/<int:child_id>/health-plan", "health_plan", health_plan)
