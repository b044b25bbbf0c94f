"""Demand for a month's full-day places by township (``GET /admin/demand``): the unmet
demand the commission plans with.

``applications``, ``placed`` and ``unplaced`` count families by the township they live
in (their first guardian's, read when they apply and again at allocation); ``placed``
holds or has booked a place (offered, accepted), ``unplaced`` found none.
``places_offered`` counts the rounds' places by the nursery's township.
"""

from __future__ import annotations

from parentapp.domain import ApplicationStatus, CareType
from parentapp.extensions import db
from parentapp.models import Application, Nursery, PlaceRound
from parentapp.services.stats.townships import list_townships

_PLACED = (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED)


def demand(month: str) -> dict:
    """Every township in the county's order (two grouped queries), then families whose
    township is unknown (``code`` null) when there are any."""
    counts: dict[str | None, dict[str, int]] = {}
    for township, status, number in db.session.execute(
            db.select(Application.township, Application.status, db.func.count())
            .where(Application.month == month, Application.care_type == CareType.FULL_DAY)
            .group_by(Application.township, Application.status)):
        row = counts.setdefault(township, {"applications": 0, "placed": 0, "unplaced": 0})
        row["applications"] += number
        if status in _PLACED:
            row["placed"] += number
        elif status == ApplicationStatus.UNPLACED:
            row["unplaced"] += number
    places = dict(db.session.execute(
        db.select(Nursery.township, db.func.sum(PlaceRound.places))
        .join(Nursery, Nursery.id == PlaceRound.nursery_id)
        .where(PlaceRound.month == month).group_by(Nursery.township)).all())
    empty = {"applications": 0, "placed": 0, "unplaced": 0}
    rows = [{"code": t.code, "name": t.name, **counts.get(t.code, empty),
             "places_offered": int(places.get(t.code) or 0)} for t in list_townships()]
    if None in counts:
        rows.append({"code": None, "name": "未填写乡镇", **counts[None], "places_offered": 0})
    return {"month": month, "townships": rows,
            "county": {key: sum(r[key] for r in rows)
                       for key in ("applications", "placed", "unplaced", "places_offered")}}
