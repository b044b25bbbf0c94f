"""What parent search needs to know about offers: care types, prices, vacancy, age.

Set-based: a fixed number of queries per chunk of ids (a chunk holds thousands), so
search costs the same for one nursery or all of them. Vacancy is the slot listing's
own ``availability`` answer: a nursery has a vacancy on a date when at least one of
its slots of that care type there can be booked now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from parentapp.domain import CareType
from parentapp.extensions import db
from parentapp.models import Child, Offering, Slot
from parentapp.services.booking.availability import availability
from parentapp.services.booking.waitlist_offers import expire_due_offers
from parentapp.timeutil import age_months, local_today

CHUNK = 5000  # ids per IN list, far below SQLite's and PostgreSQL's parameter limits


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def offer_facts(nursery_ids: list[int], *, care_type: str | None, day: date | None,
                child: Child | None, now: datetime, offer_minutes: int) -> dict[int, dict]:
    """Per nursery id: ``care_types``, ``min_price_fen``, ``has_vacancy`` (None unless both
    ``day`` and ``care_type``), ``matches`` (offers ``care_type``; takes ``child``'s age)."""
    ids = list(dict.fromkeys(nursery_ids))
    offered: dict[int, dict[str, Offering]] = defaultdict(dict)
    for chunk in _chunks(ids):  # Core rows (the offering's columns): no ORM objects to build
        for offering in db.session.execute(
                db.select(*Offering.__table__.c).where(Offering.nursery_id.in_(chunk))):
            offered[offering.nursery_id][offering.care_type] = offering
    vacant = _vacancies(ids, offered, care_type, day, now,
                        offer_minutes=offer_minutes) if care_type and day else None
    months = None if child is None else age_months(child.birth_date, day or local_today(now))
    facts = {}
    for nid in ids:
        mine = offered[nid]
        wanted = [mine[care_type]] if care_type in mine else ([] if care_type else
                                                              list(mine.values()))
        matches = bool(wanted) if care_type else True
        if months is not None:
            matches = any(Offering.accepts_age(o, months) for o in wanted)
        facts[nid] = {"care_types": [c for c in CareType if c in mine],
                      "min_price_fen": {c: mine[c].price_fen for c in CareType if c in mine},
                      "has_vacancy": None if vacant is None else nid in vacant,
                      "matches": matches}
    return facts


def _vacancies(ids: list[int], offered: dict[int, dict[str, Offering]], care_type: str,
               day: date, now: datetime, *, offer_minutes: int) -> set[int]:
    with_offering = [nid for nid in ids if care_type in offered[nid]]
    vacant: set[int] = set()
    for chunk in _chunks(with_offering):
        where = [Slot.nursery_id.in_(chunk), Slot.care_type == care_type, Slot.date == day]
        expire_due_offers(now, *where,
                          offer_minutes=offer_minutes)  # an expired offer must not hide a vacancy
        for slot in db.session.scalars(db.select(Slot).where(*where)):
            if slot.nursery_id not in vacant and availability(
                    slot, offered[slot.nursery_id][care_type], now).bookable:
                vacant.add(slot.nursery_id)
    return vacant
