"""The ceiling's ``POST /api/v1/bookings``: token, Idempotency-Key, the child's people and
lock, visibility, booking window, age, overlaps, the future-slots cap and places (held
and round-held count as taken), in three statements in one transaction:

1. token + user + the child's link (row-locked, FOR NO KEY UPDATE) + any stored answer;
2. the slots (row-locked, id order) with offering, visible nursery, the child's
   overlapping bookings, its future slot count and the new booking's id;
3. one statement of data-modifying CTEs: take the places, insert the booking, its slots
   and the stored answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta

import psycopg
from flask import Flask, request

from bench.ceiling import (
    LOCAL_TZ,
    VISIBLE,
    answer,
    conn,
    error,
    hhmm,
    local_iso,
    local_today,
)

ACTIVE = ("confirmed", "checked_in", "completed", "no_show")
SECRET = os.environ.get("PARENTAPP_SECRET_KEY", "").encode()
FUTURE_CAP = 100

FIRST = """
SELECT u.id, u.role, u.nickname, cp.role, cp.relation, c.birth_date,
       k.state, k.fingerprint, k.response_status, k.response_body, k.expires_at
FROM auth_tokens t JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
JOIN child_people cp ON cp.user_id = u.id AND cp.child_id = %(child)s
JOIN children c ON c.id = cp.child_id
LEFT JOIN idempotency_keys k ON k.user_id = u.id AND k.key = %(key)s
WHERE t.token_hash = %(hash)s AND t.kind = 'api' AND t.revoked_at IS NULL
  AND t.expires_at > %(now)s
FOR NO KEY UPDATE OF c"""
SECOND = f"""
SELECT s.id, s.nursery_id, s.care_type, s.date, s.start_time, s.end_time, s.capacity,
       s.booked, s.held, s.round_held, s.status, o.price_fen, o.age_min_months,
       o.age_max_months, o.book_ahead_days, o.min_notice_hours, o.cancel_cutoff_hours,
       (SELECT array_agg(bs.booking_id) FROM booking_slots bs JOIN slots s2 ON s2.id = bs.slot_id
        WHERE bs.child_id = %(child)s AND bs.status = ANY(%(active)s) AND s2.date = s.date
          AND s2.start_time < s.end_time AND s.start_time < s2.end_time),
       (SELECT count(*) FROM booking_slots bs JOIN slots s2 ON s2.id = bs.slot_id
        WHERE bs.child_id = %(child)s AND bs.status = ANY(%(active)s)
          AND (s2.date > %(today)s OR (s2.date = %(today)s AND s2.start_time > %(clock)s))),
       (SELECT nextval(pg_get_serial_sequence('bookings', 'id')))
FROM slots s JOIN nurseries n ON n.id = s.nursery_id AND {VISIBLE}
JOIN offerings o ON o.nursery_id = s.nursery_id AND o.care_type = s.care_type
WHERE s.id = ANY(%(ids)s) ORDER BY s.id FOR NO KEY UPDATE OF s"""
WRITE = """
WITH upd AS (UPDATE slots SET booked = booked + 1 WHERE id = ANY(%(ids)s) AND status = 'open'
             AND booked + held + round_held + 1 <= capacity RETURNING id),
b AS (INSERT INTO bookings (id, parent_id, child_id, nursery_id, care_type, status, price_fen,
        note, cancel_cutoff_hours, created_at, updated_at)
      VALUES (%(bid)s, %(user)s, %(child)s, %(nursery)s, %(care_type)s, 'confirmed',
              %(total)s, %(note)s, %(cutoff)s, %(now)s, %(now)s) RETURNING id),
bs AS (INSERT INTO booking_slots (booking_id, slot_id, child_id, status, price_fen)
       SELECT b.id, sid, %(child)s, 'confirmed', %(price)s FROM b, unnest(%(ids)s) AS sid),
k AS (INSERT INTO idempotency_keys (user_id, key, fingerprint, state, response_status,
        response_body, created_at, expires_at)
      VALUES (%(user)s, %(key)s, %(print)s, 'done', 201, %(body)s::json, %(now)s,
              %(expires)s)
      ON CONFLICT (user_id, key) DO NOTHING RETURNING id)
SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM k)"""
STORE = """INSERT INTO idempotency_keys (user_id, key, fingerprint, state, response_status,
  response_body, created_at, expires_at) VALUES (%s, %s, %s, 'done', %s, %s::json, %s, %s)
  ON CONFLICT (user_id, key) DO NOTHING"""


class Refusal(Exception):
    def __init__(self, status, code, message, details=None):
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details


def age_months(birth, on) -> int:
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:  # the month's anniversary not reached (end-of-month clamped)
        last = (on.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if not (on.day == last.day and birth.day > last.day):
            months -= 1
    return months


def _check(rows, ids, birth, now) -> None:
    found = {r[0] for r in rows}
    if found != set(ids):
        raise Refusal(404, "not_found", "没有找到所选的时段。",
                      {"slot_ids": sorted(set(ids) - found)})
    if len({r[1] for r in rows}) > 1 or len({r[2] for r in rows}) > 1:
        raise Refusal(422, "slots_not_bookable_together", "所选时段不能在一次预约中一起预订。")
    closed = [r[0] for r in rows if r[10] != "open"]
    if closed:
        raise Refusal(409, "slot_closed", "该时段已被机构关闭。", {"slot_ids": closed})
    today = local_today(now)
    early = [r[0] for r in rows if r[3] > today + timedelta(days=r[14])]
    if early:
        raise Refusal(422, "booking_window_closed", "还没到可以预约的时间。",
                      {"slot_ids": early, "reason": "too_early"})
    late = [r[0] for r in rows
            if now > datetime.combine(r[3], r[4], tzinfo=LOCAL_TZ) - timedelta(hours=r[15])]
    if late:
        raise Refusal(422, "booking_window_closed", "已过该时段的预约截止时间。",
                      {"slot_ids": late, "reason": "too_late"})
    young = [r[0] for r in rows if r[3] < birth or not r[12] <= age_months(birth, r[3]) <= r[13]]
    if young:
        raise Refusal(422, "age_ineligible",
                      f"该托育类型接收 {rows[0][12]} 到 {rows[0][13]} 个月的孩子。",
                      {"slot_ids": young, "age_min_months": rows[0][12],
                       "age_max_months": rows[0][13]})
    overlap = [r for r in rows if r[17]]
    if overlap:
        raise Refusal(409, "already_booked", "孩子在这个时间已有预约。",
                      {"slot_ids": sorted(r[0] for r in overlap),
                       "booking_ids": sorted({b for r in overlap for b in r[17]})})
    if rows[0][18] + len(rows) > FUTURE_CAP:
        raise Refusal(409, "limit_reached",
                      "孩子已预约的未来时段已达上限，请先完成或取消部分预约。",
                      {"limit": "future_slots_per_child", "max": FUTURE_CAP, "held": rows[0][18]})
    full = [r[0] for r in rows if r[6] - r[7] - r[8] - r[9] < 1]
    if full:
        raise Refusal(409, "slot_full", "名额已满，请选择其他时段或加入候补。", {"slot_ids": full})


def _body(rows, bid, user, nickname, relation, child_id, note, now) -> dict:
    cutoff = rows[0][16]
    slots = []
    for r in rows:
        until = datetime.combine(r[3], r[4], tzinfo=LOCAL_TZ) - timedelta(hours=cutoff)
        slots.append({"id": r[0], "date": r[3].isoformat(), "start": hhmm(r[4]),
                      "end": hhmm(r[5]), "status": "confirmed", "price_fen": r[11],
                      "cancellable_until": local_iso(until), "_until": until})
    first = min(s.pop("_until") for s in slots)
    return {"id": bid, "status": "confirmed", "child_id": child_id, "nursery_id": rows[0][1],
            "care_type": rows[0][2], "slots": slots, "price_fen": rows[0][11] * len(rows),
            "note": note, "booked_by": {"user_id": user, "nickname": nickname,
                                        "relation": relation},
            "created_at": local_iso(now), "cancellable_until": local_iso(first)}


def book():
    now = datetime.now(UTC)
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        return error(401, "unauthorized", "请先登录。")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return error(400, "idempotency_key_required", "请求需要 Idempotency-Key。")
    payload = request.get_json(silent=True)
    try:
        child_id, ids = int(payload["child_id"]), sorted(int(i) for i in payload["slot_ids"])
    except (KeyError, TypeError, ValueError):
        return error(422, "validation_failed", "请求参数有误。")
    note = payload.get("note")
    print_ = hashlib.sha256(json.dumps(["POST", request.path, payload], sort_keys=True,
                                       ensure_ascii=False, separators=(",", ":"))
                            .encode()).hexdigest()
    local = now.astimezone(LOCAL_TZ)
    params = {"child": child_id, "key": key, "now": now, "ids": ids, "active": list(ACTIVE),
              "hash": hmac.new(SECRET, raw.encode(), hashlib.sha256).hexdigest(),
              "today": local.date(), "clock": local.time().replace(tzinfo=None)}
    c = conn()
    with c.transaction():  # BEGIN; COMMIT on leaving (psycopg.Rollback rolls back)
        first = c.execute(FIRST, params).fetchone()
        if first is None or first[1] != "parent" or first[3] not in ("guardian", "carer"):
            return error(404, "not_found", "没有找到这个孩子。")  # (slow paths not split)
        user, _, nickname, _, relation, birth, state, stored_print, status, body, _ = first
        if state is not None:
            if state != "done":
                return error(409, "request_in_progress", "相同的请求正在处理中，请稍后再试。")
            if stored_print != print_:
                return error(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求。")
            return answer(body, status)
        rows = c.execute(SECOND, params).fetchall()
        try:
            _check(rows, ids, birth, now)
        except Refusal as refusal:
            body = {"error": {"code": refusal.code, "message": refusal.message,
                              "details": refusal.details or {}}}
            c.execute(STORE, (user, key, print_, refusal.status, json.dumps(body), now,
                              now + timedelta(hours=24)))
            return answer(body, refusal.status)
        bid = rows[0][19]
        body = _body(rows, bid, user, nickname, relation, child_id, note, now)
        taken, stored = c.execute(WRITE, {
            **params, "bid": bid, "user": user, "nursery": rows[0][1], "care_type": rows[0][2],
            "total": rows[0][11] * len(rows), "note": note, "cutoff": rows[0][16],
            "price": rows[0][11], "print": print_, "body": json.dumps(body, ensure_ascii=False),
            "expires": now + timedelta(hours=24)}).fetchone()
        if taken != len(ids) or not stored:  # never under the locks; a duplicate key
            raise psycopg.Rollback()
        return answer(body, 201)
    return error(409, "slot_full", "名额已满，请选择其他时段或加入候补。", {"slot_ids": ids})


def register(app: Flask) -> None:
    app.add_url_rule("/api/v1/bookings", "book", book, methods=["POST"])
