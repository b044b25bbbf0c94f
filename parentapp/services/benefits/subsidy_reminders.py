"""The yearly in-app reminder to apply for the childcare subsidy.

From the configured day of each year (``PARENTAPP_SUBSIDY_REMINDER_DATE``, 5 January by
default), every person (reminders on) of each child the subsidy pays for in that year gets
one inbox message naming the year's amount. A child added later in the year is reminded
on the next run. Set-based: one query for the children, one for their people, one bulk
``INSERT ... ON CONFLICT DO NOTHING``; the key ``childcare-subsidy:{child}:{year}`` names
the recipient (``fanout.keyed_for``), so running twice, or two schedulers, still gives
each person one message a year.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from parentapp.domain import DeliveryState, NotificationKind
from parentapp.extensions import db
from parentapp.models import Child, Notification
from parentapp.services.benefits.childcare_subsidy import SubsidyRule, year_amount
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import fanout
from parentapp.services.reminders.messages import subsidy_reminder
from parentapp.timeutil import local_today


def subsidy_key(child_id: int, year: int) -> str:
    return f"childcare-subsidy:{child_id}:{year}"


@rolls_back
def plan_subsidy_reminders(now: datetime, *, remind_on: tuple[int, int],
                           rule: SubsidyRule) -> dict[str, int]:
    """This year's reminders, once ``remind_on`` (month, day) has come. Returns the
    children the subsidy pays for this year and the messages created."""
    today = local_today(now)
    year = today.year
    if today < date(year, *remind_on) or year < rule.starts_on.year:
        return {"children": 0, "created": 0}
    # Born from January three years back (the last months of their 36) to November (the
    # first month after the birth month is still this year's).
    children = [(child_id, name, amount) for child_id, name, born in db.session.execute(
        select(Child.id, Child.name, Child.birth_date).where(
            Child.birth_date >= date(year - 3, 1, 1), Child.birth_date <= date(year, 11, 30)))
        if (amount := year_amount(born, year, rule)) > 0]
    people = fanout.recipients(child_id for child_id, _, _ in children)
    rows = []
    for child_id, name, amount in children:
        message = subsidy_reminder(child_id, child_name=name, year=year, amount_yuan=amount)
        key = subsidy_key(child_id, year)
        rows.extend({
            "user_id": user_id, "kind": NotificationKind.CHILDCARE_SUBSIDY,
            "dedupe_key": fanout.keyed_for(key, user_id), "child_id": child_id,
            "subject_type": "childcare_subsidy", "subject_id": year,
            "title": message.title, "body": message.body, "link": message.link,
            "planned_at": now, "send_after": now, "created_at": now, "attempts": 0,
            "delivery_state": DeliveryState.INBOX_ONLY,
        } for user_id in people[child_id])
    created = 0
    if rows:
        table = Notification.__table__
        stmt = (insert_for(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(table.c.id))
        created = len(db.session.execute(stmt, rows).all())
    db.session.commit()
    return {"children": len(children), "created": created}
