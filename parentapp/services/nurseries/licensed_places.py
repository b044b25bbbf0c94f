"""The licensed-places rule: at no moment of any date may the capacities of a
nursery's open slots covering that moment add up to more than its filed
``licensed_places``.

Slots of every care type share the nursery's places and cover their own time
span: a full_day or temporary slot the day hours it was generated with, a
half_day slot its am or pm hours, an hourly slot its hour. A slot covers
[start, end): the 08:00-09:00 and 09:00-10:00 hourly slots never count
together. The sum can only peak when some slot starts, so it is checked at
every slot start of each date concerned.

A family care point (家庭托育点) files at most ``FAMILY_MAX_PLACES`` places; the
schemas check a whole nursery, ``update_nursery`` the nursery a change leaves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time

from parentapp.domain import NurseryKind, SlotStatus
from parentapp.errors import CapacityExceedsLicensedPlaces
from parentapp.extensions import db
from parentapp.models import Nursery, Slot
from parentapp.models.nursery import FAMILY_MAX_PLACES


def kind_places_problem(kind: str | None, licensed_places: int | None) -> str | None:
    """Why ``licensed_places`` is too many for ``kind``, or None."""
    if kind == NurseryKind.FAMILY and licensed_places is not None \
            and licensed_places > FAMILY_MAX_PLACES:
        return (f"家庭托育点最多收托 {FAMILY_MAX_PLACES} 名婴幼儿，"
                f"备案托位数不能超过 {FAMILY_MAX_PLACES}。")
    return None


def peak_on(spans: list[tuple[time, time, int]]) -> tuple[time | None, int]:
    """The largest total capacity in force at one moment, and when it first occurs."""
    events = sorted([(start, 1, cap) for start, _, cap in spans]
                    + [(end, 0, -cap) for _, end, cap in spans])  # ends before starts
    total, peak, when = 0, 0, None
    for moment, _, delta in events:
        total += delta
        if total > peak:
            peak, when = total, moment
    return when, peak


def ensure_within_licensed_places(nursery: Nursery, dates: Iterable[date]) -> None:
    """Check the flushed state of ``dates``. Raises CapacityExceedsLicensedPlaces."""
    dates = sorted(set(dates))
    if not dates:
        return
    spans: dict[date, list[tuple[time, time, int]]] = defaultdict(list)
    rows = db.session.execute(
        db.select(Slot.date, Slot.start_time, Slot.end_time, Slot.capacity)
        .where(Slot.nursery_id == nursery.id, Slot.status == SlotStatus.OPEN, Slot.date.in_(dates)))
    for day, start, end, capacity in rows:
        spans[day].append((start, end, capacity))
    for day in dates:
        when, peak = peak_on(spans[day])
        if peak > nursery.licensed_places:
            raise CapacityExceedsLicensedPlaces(
                f"{day.month}月{day.day}日 {when:%H:%M} 开放的名额合计 {peak} 个，"
                f"超过了备案托位数 {nursery.licensed_places}。",
                details={"date": day.isoformat(), "time": f"{when:%H:%M}", "total": peak,
                         "licensed_places": nursery.licensed_places})
