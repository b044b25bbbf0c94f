"""Planning vaccine and checkup reminders into notification rows, incrementally.

``plan_health_reminders`` visits only the children that need it (never
planned, changed since, or whose next reminder came into the horizon; see
``ReminderPlan``), in batches by id (keyset), so memory stays flat whatever
the number of children. Dates are computed in Python with the pure plan
functions (memoised: children alike share one plan); rows go in with one bulk
``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`` per batch (on PostgreSQL
from rows copied in, ``common.bulk``), so running twice (or two
planners at once) creates nothing new.

Recording an item withdraws it from pending rows at once (same transaction,
``item_recorded``). A coalesced row loses only that item and keeps reminding
of the others; it is withdrawn when none is left. Other changes (a record
deleted, a new birth date or vaccine choice) mark the child, and the next run
reconciles its pending rows with the new plan (``reminder_sync``).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from types import MappingProxyType

from sqlalchemy import String, cast, func, or_, select

from parentapp.domain import DeliveryState, HealthItemKind
from parentapp.extensions import db
from parentapp.models import Child, HealthRecord, Notification, ReminderPlan
from parentapp.services.common import bulk
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import fanout
from parentapp.services.health.schedule import Schedule
from parentapp.services.reminders import health_sync
from parentapp.services.reminders.health_timing import PlannedReminder, dedupe_key, plan_child
from parentapp.services.reminders.messages import health_message
from parentapp.services.reminders.quiet_hours import next_send_moment
from parentapp.timeutil import local_today

# Children per batch (one transaction): large enough that the statements and temporary
# tables of a batch cost little per child, small enough that memory stays flat.
BATCH_SIZE = 5000
# A child first planned within this long after being added gets the catch-up
# message; older children (e.g. added before reminders existed) do not.
NEW_CHILD_WINDOW = timedelta(days=3)


@rolls_back
def plan_health_reminders(now: datetime, *, schedule: Schedule,
                          batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Plan every child that needs it; one transaction per batch. Returns counts."""
    totals = {"children": 0, "created": 0, "updated": 0, "withdrawn": 0}
    after = 0
    while True:
        batch = _candidates(after, now, batch_size)
        if not batch:
            break
        after = batch[-1].id
        counts = _plan_batch(schedule, batch, now)
        db.session.commit()
        totals["children"] += len(batch)
        for key, value in counts.items():
            totals[key] += value
    return totals


def _candidates(after: int, now: datetime, limit: int) -> list:
    today = local_today(now)
    stmt = (select(Child.id, Child.name, Child.birth_date, Child.je_choice,
                   Child.hepa_choice, Child.hbsag_mother, Child.birth_weight_g,
                   Child.created_at, ReminderPlan.version, ReminderPlan.planned_version,
                   ReminderPlan.planned_at)
            .outerjoin(ReminderPlan, ReminderPlan.child_id == Child.id)
            .where(Child.id > after,
                   or_(ReminderPlan.planned_at.is_(None),
                       ReminderPlan.version > ReminderPlan.planned_version,
                       ReminderPlan.next_plan_on <= today))
            .order_by(Child.id).limit(limit))
    return list(db.session.execute(stmt))


def _records(child_ids: list[int]) -> dict[int, Mapping[str, date]]:
    """Each child's records, code -> date done (shared, not to be changed). A child's
    records arrive as one text ("code=date" joined), parsed once per distinct text: a
    batch reads a row per child, not one per record."""
    found: dict[int, Mapping[str, date]] = dict.fromkeys(child_ids, _NO_RECORDS)
    done = HealthRecord.code + "=" + cast(HealthRecord.done_on, String)  # ISO dates
    rows = db.session.execute(select(HealthRecord.child_id,
                                     func.aggregate_strings(done, _RECORD_SEP))
                              .where(bulk.among(HealthRecord.child_id, child_ids))
                              .group_by(HealthRecord.child_id))
    for child_id, joined in rows:
        found[child_id] = _parsed_records(joined)
    return found


_NO_RECORDS: Mapping[str, date] = MappingProxyType({})
_RECORD_SEP = "|"  # codes are the schedule's (letters, digits, hyphens)


@functools.lru_cache(maxsize=8192)
def _parsed_records(joined: str) -> Mapping[str, date]:
    pairs = (entry.rpartition("=") for entry in joined.split(_RECORD_SEP))
    return MappingProxyType({code: date.fromisoformat(day) for code, _, day in pairs})


def _plan_batch(schedule, batch: list, now: datetime) -> dict[str, int]:
    records = _records([child.id for child in batch])
    people = fanout.recipients([child.id for child in batch])
    told = health_sync.already_told([child.id for child in batch if child.planned_at])
    inserts: list[dict] = []
    plans: list[dict] = []
    counts = {"created": 0, "updated": 0, "withdrawn": 0}
    added_since = now - NEW_CHILD_WINDOW
    for child in batch:
        never_planned = child.planned_at is None
        catch_up = never_planned and child.created_at >= added_since
        choices = {"je": child.je_choice, "hepa": child.hepa_choice}
        plan = plan_child(schedule, child.birth_date, choices=choices, records=records[child.id],
                          now=now, catch_up=catch_up, hbsag_mother=child.hbsag_mother,
                          birth_weight_g=child.birth_weight_g)
        # One row per reminder and person with reminders on (keys name the person).
        rows = [reminder_row(child, untold, now, user_id)
                for reminder in plan.reminders for user_id in people[child.id]
                if (untold := _untold(reminder, user_id, told.get(child.id))) is not None]
        if not never_planned and (child.version or 0) > (child.planned_version or 0):
            rows, updated, withdrawn = health_sync.reconcile(child, plan, rows, now,
                                                            people[child.id])
            counts["updated"] += updated
            counts["withdrawn"] += withdrawn
        inserts.extend(rows)
        plans.append({"child_id": child.id, "version": child.version or 0,
                      "planned_version": child.version or 0,
                      "next_plan_on": plan.next_plan_on, "planned_at": now})
    counts["created"] = insert_notifications(inserts)
    _save_plans(plans)
    return counts


def _untold(reminder: PlannedReminder, user_id: int,
            told: set | None) -> PlannedReminder | None:
    """The reminder without the items this person was already told of at the same stage
    (their date moved since); None when nothing is left."""
    if not told:
        return reminder
    items = tuple(item for item in reminder.items if (user_id, item.code, item.stage) not in told)
    if len(items) == len(reminder.items):
        return reminder
    return replace(reminder, items=items) if items else None


def reminder_row(child, reminder: PlannedReminder, now: datetime, user_id: int) -> dict:
    """The notification row (as column values) of one planned health reminder for one of
    the child's people."""
    message = health_message(reminder.kind, child.id, child.name, reminder.items)
    return {
        "user_id": user_id, "kind": reminder.kind, "template_kind": reminder.kind,
        "dedupe_key": fanout.keyed_for(dedupe_key(child.id, reminder.kind, reminder.day),
                                       user_id),
        "subject_type": "child", "subject_id": child.id, "child_id": child.id,
        "title": message.title, "body": message.body, "link": message.link,
        "wechat_data": message.wechat_data, "planned_at": reminder.planned_at,
        "send_after": next_send_moment(reminder.planned_at),
        "delivery_state": DeliveryState.PENDING, "attempts": 0, "created_at": now,
        "covered_items": [{"code": i.code, "name": i.name, "due": i.due.isoformat(),
                           "stage": i.stage, "note": i.note} for i in reminder.items],
    }


def insert_notifications(rows: list[dict]) -> int:
    """Bulk insert; rows whose dedupe_key exists already are skipped. Returns how many went in."""
    return bulk.insert_new(Notification.__table__, rows, unique=["dedupe_key"])


def _save_plans(plans: list[dict]) -> None:
    # The version seen when reading: a change made meanwhile keeps the child due.
    bulk.upsert(ReminderPlan.__table__, plans, unique=["child_id"],
                update=["planned_version", "next_plan_on", "planned_at"])


def mark_child_changed(child_id: int) -> None:
    """Ask the next planning run to look at this child again (caller's transaction)."""
    stmt = insert_for(ReminderPlan.__table__).values(child_id=child_id, version=1,
                                                     planned_version=0)
    stmt = stmt.on_conflict_do_update(index_elements=["child_id"],
                                      set_={"version": ReminderPlan.__table__.c.version + 1})
    db.session.execute(stmt)


def item_recorded(child: Child, codes: Collection[str], now: datetime) -> None:
    """Doses or checkups were recorded (one code, or every dose a product counted as): their
    pending reminders go at once, in one pass (caller's transaction)."""
    rows = db.session.scalars(select(Notification).where(
        Notification.child_id == child.id, Notification.kind.in_(HealthItemKind.values()),
        Notification.delivery_state == DeliveryState.PENDING))
    for row in rows:
        items = [item for item in row.covered_items or [] if item["code"] not in codes]
        if len(items) != len(row.covered_items or []):
            health_sync.rewrite(row, child.name, items)
    mark_child_changed(child.id)
