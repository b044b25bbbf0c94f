"""The scale-out bench's invariants, read with SQL after the load (and from the fake
WeChat server's log of every message it delivered).

- slots: ``booked <= capacity`` and ``booked`` equals the slot's active booking slots;
- notifications: no message delivered twice (a message is known by its recipient,
  template, page and values, which are unique per row in this bench; a key that two rows
  share may be delivered twice), every ``sent`` row's msgid among the delivered
  messages, every due row ``sent``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import bindparam, create_engine, text

import mini_program_api as mp
from parentapp.database import normalise_url
from parentapp.domain import ACTIVE_BOOKING_STATUSES

SLOTS_SQL = text("""
    SELECT s.id, s.capacity, s.booked, count(bs.id) AS active
    FROM slots s LEFT JOIN booking_slots bs ON bs.slot_id = s.id AND bs.status IN :active
    GROUP BY s.id, s.capacity, s.booked""").bindparams(
    bindparam("active", [str(s) for s in ACTIVE_BOOKING_STATUSES], expanding=True))
ROWS_SQL = text("""
    SELECT n.id, u.wechat_openid, n.template_kind, n.link, n.wechat_data, n.delivery_state,
           n.msgid, n.send_after, n.last_error
    FROM notifications n JOIN users u ON u.id = n.user_id
    WHERE n.template_kind IS NOT NULL""")
DUE_OPEN_SQL = text("""
    SELECT count(*) FROM notifications WHERE template_kind IS NOT NULL
    AND send_after <= :now AND delivery_state IN ('pending', 'sending')""")


def _read(url: str, statement, **params) -> list:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(statement, params).all()
    finally:
        engine.dispose()


def due_open(url: str, now: datetime) -> int:
    """Due rows not yet sent or ended: what the dispatchers still have to do."""
    return _read(url, DUE_OPEN_SQL, now=now)[0][0]


def _key(openid, template_id, page, data) -> tuple:
    return (openid, template_id, page or None, json.dumps(data, sort_keys=True,
                                                          ensure_ascii=False))


def check_slots(url: str) -> dict:
    slots = _read(url, SLOTS_SQL)
    return {"slots": len(slots), "booked": sum(s.booked for s in slots),
            "overbooked": sum(s.booked > s.capacity for s in slots),
            "miscounted": sum(s.booked != s.active for s in slots),
            "full": sum(s.booked == s.capacity for s in slots)}


def check_notifications(url: str, messages: list[dict], templates: dict,
                        now: datetime) -> dict:
    """``messages``: the fake's /__fake__/messages list; ``now``: the dispatchers' clock."""
    return tally(_read(url, ROWS_SQL), messages, templates, now)


def tally(rows: list, messages: list[dict], templates: dict, now: datetime) -> dict:
    """The notification figures from ROWS_SQL's rows and the messages WeChat received."""
    delivered = Counter(_key(m["touser"], m["template_id"], m["page"], m["data"])
                        for m in messages)
    msgids = {str(m["msgid"]) for m in messages}
    keyed = Counter()
    states = Counter(row.delivery_state for row in rows)
    due = [row for row in rows if row.send_after <= now and row.delivery_state != "withdrawn"]
    for row in rows:
        data = {k: mp.fit_value(k, v) for k, v in (row.wechat_data or {}).items()}
        keyed[_key(row.wechat_openid, templates.get(row.template_kind),
                   (row.link or "").lstrip("/"), data)] += 1
    return {
        "rows": len(rows), "states": dict(states), "due": len(due),
        "due_sent": sum(row.delivery_state == "sent" for row in due),
        "due_not_sent": sorted(Counter(f"{row.delivery_state}:{row.last_error}" for row in due
                                       if row.delivery_state != "sent").items()),
        "messages": len(messages),
        "duplicates": sum(max(0, n - keyed[key]) for key, n in delivered.items()),
        "unknown_messages": sum(n for key, n in delivered.items() if key not in keyed),
        "sent_not_received": sum(row.delivery_state == "sent" and row.msgid not in msgids
                                 for row in rows),
    }
