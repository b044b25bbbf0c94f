"""The raw-SQL ceiling: the same answers as parentapp under the same rules, written by hand
with psycopg (one connection per thread) and json.dumps, in as few statements as the
rules need. Served by gunicorn like the app (``bench.ceiling:app``; PARENTAPP_DATABASE_URL).

Reads are anonymous (as in the mini program's browsing), so they need no token check. The
bench has no waitlist offers, so expiring due offers (a write the app makes before a
listing or booking) is left out; held and round-held places still count as taken.
"""

from __future__ import annotations

import json
import math
import os
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from flask import Flask, Response, request

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_M = 6_371_000.0
CARE_ORDER = {"full_day": 0, "half_day": 1, "hourly": 2, "temporary": 3}
VISIBLE = "n.filing_status = 'approved' AND (n.kind <> 'employer' OR n.open_to_public)"
_local = threading.local()

app = Flask("ceiling")


def conn() -> psycopg.Connection:
    """This thread's connection, in autocommit: a read is one round trip."""
    connection = getattr(_local, "conn", None)
    if connection is None or connection.closed:
        url = os.environ["PARENTAPP_DATABASE_URL"].replace("postgresql+psycopg://",
                                                           "postgresql://")
        connection = psycopg.connect(url, autocommit=True,
                                     options="-c lock_timeout=3000 -c timezone=UTC")
        _local.conn = connection
    return connection


def answer(body, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


def error(status: int, code: str, message: str, details: dict | None = None) -> Response:
    return answer({"error": {"code": code, "message": message, "details": details or {}}},
                  status)


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def local_iso(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def hhmm(value) -> str:
    return value.strftime("%H:%M")


@app.get("/healthz")
def healthz():
    return answer({})


# -- nearby search -------------------------------------------------------------------------

# The nearest first from the GiST index on each nursery's unit-sphere point (the schema's
# ix_nurseries_search_knn, the same expression), exact haversine h for rank and radius;
# the page re-read from the ball the first start + count reach, sorted by (h, id); the
# total counted up to TOTAL_CAP + 1. One statement.
POINT = ("CUBE(ARRAY[cos(radians(n.lat)) * cos(radians(n.lng)), "
         "cos(radians(n.lat)) * sin(radians(n.lng)), sin(radians(n.lat))])")
CENTRE = "CUBE(ARRAY[%(cx)s::float8, %(cy)s::float8, %(cz)s::float8])"
H = ("sin((radians(n.lat) - %(phi)s) * 0.5) ^ 2 "
     "+ %(cos_phi)s * cos(radians(n.lat)) * sin((radians(n.lng) - %(lam)s) * 0.5) ^ 2")
INSIDE = f"{VISIBLE} AND {POINT} <@ cube_enlarge({CENTRE}, %(chord)s, 3) AND {H} <= %(limit)s"
COUNT = f"SELECT count(*) FROM (SELECT 1 FROM nurseries n WHERE {INSIDE} LIMIT %(cap)s) c"
SEARCH = f"""
WITH knn AS (SELECT {POINT} <-> {CENTRE} AS d FROM nurseries n WHERE {INSIDE}
             ORDER BY {POINT} <-> {CENTRE} LIMIT %(reach)s),
page AS (SELECT n.id, {H} AS h FROM nurseries n
         WHERE {VISIBLE} AND {POINT} <@ cube_enlarge({CENTRE}, (SELECT max(d) FROM knn) + 1e-9, 3)
           AND {H} <= %(limit)s
         ORDER BY h, n.id OFFSET %(start)s LIMIT %(count)s)
SELECT n.id, n.name, n.address, n.township, n.lat, n.lng, n.kind, n.inclusive, page.h,
       ({COUNT}), (SELECT array_agg(o.care_type || ':' || o.price_fen) FROM offerings o
                   WHERE o.nursery_id = n.id)
FROM page JOIN nurseries n ON n.id = page.id ORDER BY page.h, page.id"""
TOTAL_CAP = 1000


def _offers(pairs) -> tuple[list[str], dict[str, int]]:
    prices = dict(p.split(":") for p in pairs or [])
    kinds = sorted(prices, key=CARE_ORDER.__getitem__)
    return kinds, {k: int(prices[k]) for k in kinds}


def _metres(h: float) -> int:
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))


@app.get("/api/v1/nurseries")
def search():
    try:
        lat, lng = float(request.args["lat"]), float(request.args["lng"])
        radius_km = float(request.args.get("radius_km", 5))
        page, per_page = int(request.args.get("page", 1)), int(request.args.get("per_page", 20))
    except (KeyError, ValueError):
        return error(422, "validation_failed", "请求参数有误。")
    if not (0 < radius_km <= 50 and -90 <= lat <= 90 and -180 <= lng <= 180
            and page >= 1 and 1 <= per_page <= 100):
        return error(422, "validation_failed", "请求参数有误。")
    phi, lam = math.radians(lat), math.radians(lng)
    angle = radius_km * 1000 / EARTH_RADIUS_M
    start = (page - 1) * per_page
    count = max(0, min(per_page, TOTAL_CAP - start))  # nothing past the cap's last match
    params = {"phi": phi, "lam": lam, "cos_phi": math.cos(phi), "limit": math.sin(angle / 2) ** 2,
              "cx": math.cos(phi) * math.cos(lam), "cy": math.cos(phi) * math.sin(lam),
              "cz": math.sin(phi), "chord": 2 * math.sin(angle / 2) + 1e-9,
              "start": start, "count": count, "reach": start + count, "cap": TOTAL_CAP + 1}
    rows = conn().execute(SEARCH, params).fetchall() if count else []
    items = []
    for nid, name, address, town, n_lat, n_lng, kind, inclusive, h, _, offers in rows:
        care_types, prices = _offers(offers)
        items.append({"id": nid, "name": name, "address": address, "township": town,
                      "lat": n_lat, "lng": n_lng, "distance_m": _metres(h), "kind": kind,
                      "inclusive": inclusive, "care_types": care_types,
                      "min_price_fen": prices, "has_vacancy": None})
    if rows:
        total = rows[0][9]
    else:  # an empty page: past the matches, or past the cap
        total = 0 if start == 0 and count else conn().execute(COUNT, params).fetchone()[0]
    body = {"items": items, "page": page, "per_page": per_page, "total": min(total, TOTAL_CAP)}
    if total > TOTAL_CAP:
        body["total_capped"] = True
    return answer(body)


# -- nursery detail ------------------------------------------------------------------------

DETAIL = f"""
SELECT n.id, n.name, n.address, n.township, n.lat, n.lng, n.kind, n.inclusive, n.phone,
       n.description, n.licensed_places, n.opening_hours, n.filing_no, n.filed_on,
       n.registration_type, n.open_to_public, o.care_type, o.price_fen, o.age_min_months,
       o.age_max_months, o.book_ahead_days, o.min_notice_hours, o.cancel_cutoff_hours
FROM nurseries n LEFT JOIN offerings o ON o.nursery_id = n.id
WHERE n.id = %s AND {VISIBLE}"""
OFFERING_FIELDS = ("care_type", "price_fen", "age_min_months", "age_max_months",
                   "book_ahead_days", "min_notice_hours", "cancel_cutoff_hours")


@app.get("/api/v1/nurseries/<int:nursery_id>")
def detail(nursery_id: int):
    rows = conn().execute(DETAIL, (nursery_id,)).fetchall()
    if not rows:
        return error(404, "not_found", "没有找到这家托育机构。")
    (nid, name, address, town, lat, lng, kind, inclusive, phone, description, places,
     hours, filing_no, filed_on, registration_type, public) = rows[0][:16]
    offerings = sorted((dict(zip(OFFERING_FIELDS, row[16:], strict=True))
                        for row in rows if row[16] is not None),
                       key=lambda o: CARE_ORDER[o["care_type"]])
    return answer({
        "id": nid, "name": name, "address": address, "township": town, "lat": lat,
        "lng": lng, "distance_m": None, "kind": kind, "inclusive": inclusive,
        "care_types": [o["care_type"] for o in offerings],
        "min_price_fen": {o["care_type"]: o["price_fen"] for o in offerings},
        "has_vacancy": None, "phone": phone, "description": description,
        "licensed_places": places, "opening_hours": hours,
        "filing": {"filing_no": filing_no, "filed_on": filed_on and filed_on.isoformat(),
                   "registration_type": registration_type},
        "offerings": offerings, "open_to_public": public})


# -- slot listing --------------------------------------------------------------------------

SLOTS = f"""
SELECT s.id, s.care_type, s.date, s.start_time, s.end_time, s.capacity, s.booked, s.held,
       s.round_held, s.status, s.closed_reason, o.price_fen, o.book_ahead_days,
       o.min_notice_hours,
       (SELECT count(*) FROM waitlist_entries w WHERE w.slot_id = s.id
          AND w.status = 'waiting')
FROM nurseries n
LEFT JOIN slots s ON s.nursery_id = n.id AND s.date BETWEEN %s AND %s
LEFT JOIN offerings o ON o.nursery_id = s.nursery_id AND o.care_type = s.care_type
WHERE n.id = %s AND {VISIBLE}
ORDER BY s.date, s.start_time, s.care_type, s.id"""


def bookable(status, day, start, remaining, ahead, notice, now) -> bool:
    if status != "open":
        return False
    if day > local_today(now) + timedelta(days=ahead):
        return False
    starts = datetime.combine(day, start, tzinfo=LOCAL_TZ)
    return now <= starts - timedelta(hours=notice) and remaining >= 1


@app.get("/api/v1/nurseries/<int:nursery_id>/slots")
def slots(nursery_id: int):
    now = datetime.now(UTC)
    try:
        day_from = date.fromisoformat(request.args.get("from") or local_today(now).isoformat())
        day_to = date.fromisoformat(request.args.get("to")
                                    or (day_from + timedelta(days=6)).isoformat())
    except ValueError:
        return error(422, "validation_failed", "请求参数有误。")
    if day_to < day_from or (day_to - day_from).days + 1 > 62:
        return error(422, "validation_failed", "日期范围有误。", {"to": ["一次最多 62 天。"]})
    rows = conn().execute(SLOTS, (day_from, day_to, nursery_id)).fetchall()
    if not rows:
        return error(404, "not_found", "没有找到这家托育机构。")
    items = []
    for (sid, care_type, day, start, end, capacity, booked, held, round_held, status,
         reason, price, ahead, notice, waiting) in rows:
        if sid is None:
            continue
        remaining = max(0, capacity - booked - held - round_held)
        items.append({
            "id": sid, "care_type": care_type, "date": day.isoformat(), "start": hhmm(start),
            "end": hhmm(end), "capacity": capacity, "booked": booked, "remaining": remaining,
            "status": status, "price_fen": price,
            "bookable": bookable(status, day, start, remaining, ahead, notice, now),
            "waitlist_length": waiting, "held": held, "closed_reason": reason})
    return answer({"items": items})


# -- class listing -------------------------------------------------------------------------

CLASSES = """
SELECT c.id, c.title, c.kind, c.township, c.venue, c.starts_at, c.ends_at, c.capacity, c.lat,
       c.lng, c.enroll_deadline, c.child_age_min_months, c.child_age_max_months,
       c.description, c.nursery_id, c.cancelled_at, count(*) OVER (),
       (SELECT count(*) FILTER (WHERE e.status = 'enrolled') FROM class_enrollments e
        WHERE e.class_id = c.id),
       (SELECT count(*) FILTER (WHERE e.status = 'waitlisted') FROM class_enrollments e
        WHERE e.class_id = c.id)
FROM parenting_classes c WHERE c.starts_at >= %s
ORDER BY c.starts_at, c.id OFFSET %s LIMIT %s"""
CLASS_FIELDS = ("id", "title", "kind", "township", "venue", "starts_at", "ends_at", "capacity",
                "lat", "lng", "enroll_deadline", "child_age_min_months", "child_age_max_months",
                "description", "nursery_id")


@app.get("/api/v1/classes")
def classes():
    now = datetime.now(UTC)
    try:
        page, per_page = int(request.args.get("page", 1)), int(request.args.get("per_page", 20))
    except ValueError:
        return error(422, "validation_failed", "请求参数有误。")
    midnight = datetime.combine(local_today(now), datetime.min.time(), tzinfo=LOCAL_TZ)
    rows = conn().execute(CLASSES, (midnight, (page - 1) * per_page, per_page)).fetchall()
    items = []
    for row in rows:
        item = dict(zip(CLASS_FIELDS, row[:15], strict=True))
        cancelled, enrolled, waiting = row[15], row[17], row[18]
        item.update(
            starts_at=local_iso(item["starts_at"]), ends_at=local_iso(item["ends_at"]),
            enroll_deadline=local_iso(item["enroll_deadline"]), enrolled=enrolled,
            remaining=max(item["capacity"] - enrolled, 0), waitlist_length=waiting,
            status="cancelled" if cancelled else (
                "completed" if now >= row[6] else "scheduled"),
            enrollment_open=cancelled is None and now < row[10], distance_m=None)
        items.append(item)
    total = rows[0][16] if rows else 0
    return answer({"items": items, "page": page, "per_page": per_page, "total": total})


from bench import ceiling_booking, ceiling_health  # noqa: E402  (the authenticated rows)

ceiling_booking.register(app)
ceiling_health.register(app)
