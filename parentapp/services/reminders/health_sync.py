"""Keeping pending health reminders true to the plan when a child's data changes.

A row covers one or more items (``covered_items``). An item stays in a
pending row while it is in the plan, not done, and still due on the date the
row names; a row left with no item is withdrawn (hidden from the inbox, never
sent), a row that lost some is rewritten for the rest. Rows already sent,
being sent or ended are never touched.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select

from parentapp.domain import DeliveryState, HealthItemKind
from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.services.reminders.messages import HealthItem, health_message


def rewrite(row: Notification, child_name: str, items: list[dict]) -> None:
    """Point ``row`` at ``items`` (dicts as stored); withdraw it when none is left."""
    if not items:
        row.delivery_state = DeliveryState.WITHDRAWN
        return
    health_items = [HealthItem(i["code"], i["name"], date.fromisoformat(i["due"]), i["stage"],
                                i.get("note"))
                    for i in items]
    message = health_message(row.template_kind, row.child_id, child_name, health_items)
    row.title, row.body, row.wechat_data = message.title, message.body, message.wechat_data
    row.covered_items = list(items)


def reconcile(child, plan, rows: list[dict], now: datetime,
              hearing: list[int]) -> tuple[list[dict], int, int]:
    """Align a changed child's pending rows with ``plan``; returns (rows to insert,
    rows updated, rows withdrawn). ``rows`` are the plan's rows as column values, one per
    person in ``hearing`` (the child's people with reminders on): a pending row of anyone
    else is withdrawn, and a withdrawn row the plan wants again comes back."""
    desired = {row["dedupe_key"]: row for row in rows}
    existing = db.session.scalars(select(Notification).where(
        Notification.child_id == child.id, Notification.kind.in_(HealthItemKind.values()),
        or_(Notification.delivery_state == DeliveryState.PENDING,
            and_(Notification.delivery_state == DeliveryState.WITHDRAWN,
                 Notification.dedupe_key.in_(list(desired) or [""])))))
    updated = withdrawn = 0
    for note in existing:
        before = note.covered_items or []
        still = [item for item in before
                 if plan.open_items.get(item["code"]) == date.fromisoformat(item["due"])]
        wanted = desired.pop(note.dedupe_key, None)
        if wanted is not None:
            items = _merge(wanted["covered_items"], still)
            if note.delivery_state == DeliveryState.WITHDRAWN or items != before:
                if note.delivery_state == DeliveryState.WITHDRAWN:
                    note.delivery_state = DeliveryState.PENDING
                    note.send_after = wanted["send_after"]
                rewrite(note, child.name, items)
                updated += 1
        elif note.delivery_state == DeliveryState.PENDING and note.user_id not in hearing:
            note.delivery_state = DeliveryState.WITHDRAWN
            withdrawn += 1
        elif note.delivery_state == DeliveryState.PENDING and len(still) != len(before):
            rewrite(note, child.name, still)
            withdrawn += note.delivery_state == DeliveryState.WITHDRAWN
            updated += note.delivery_state != DeliveryState.WITHDRAWN
    return list(desired.values()), updated, withdrawn


def _merge(wanted: list[dict], still: list[dict]) -> list[dict]:
    codes = {item["code"] for item in wanted}
    merged = wanted + [item for item in still if item["code"] not in codes]
    return sorted(merged, key=lambda item: (item["due"], item["code"]))


def already_told(child_ids: list[int]) -> dict[int, set[tuple[int, str, str]]]:
    """Per child, (person, item code, stage) of every health reminder that has gone out
    (sent, or in the inbox): an item whose date moved is not reminded again at that stage.
    One query for the batch."""
    told: dict[int, set[tuple[int, str, str]]] = {child_id: set() for child_id in child_ids}
    if not child_ids:
        return told
    rows = db.session.execute(
        select(Notification.child_id, Notification.user_id, Notification.covered_items).where(
            Notification.child_id.in_(child_ids),
            Notification.kind.in_(HealthItemKind.values()),
            Notification.delivery_state.not_in([DeliveryState.PENDING,
                                                DeliveryState.WITHDRAWN])))
    for child_id, user_id, items in rows:
        told[child_id].update((user_id, item["code"], item["stage"]) for item in items or [])
    return told
