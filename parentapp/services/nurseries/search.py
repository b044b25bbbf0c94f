"""Parent search: filed nurseries near a point, and the public detail page.

With a position, services.nurseries.geo ranks the nurseries inside the circle
(nearest-first GiST index on PostgreSQL, a bounding box on the covering index
elsewhere, then exact haversine) and only the requested page is loaded as rows.
Without a position the database pages by name.

``total`` counts matches exactly up to TOTAL_CAP; beyond that it is TOTAL_CAP, the
answer says ``total_capped``, and pages past the TOTAL_CAP-th match are empty (the
contract): a county-wide query never has to count, or sort, every nursery.

``offer_summaries`` is the one place where offerings, prices and vacancies
(issue 4) join the search: it reports, per nursery, the care types offered,
the lowest prices, vacancy on a date, and whether the nursery matches the
care_type / child filters at all.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, and_, bindparam, or_

from parentapp.domain import FilingStatus, NurseryKind
from parentapp.errors import NotFound, Unauthorized, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Child, Nursery, Offering, utcnow
from parentapp.services.accounts import children
from parentapp.services.nurseries import offerings, vacancies
from parentapp.services.nurseries.geo import distance_m, metres, nearest, within_radius
from parentapp.timeutil import local_today

TOTAL_CAP = 1000
LIST_COLUMNS = (Nursery.id, Nursery.name, Nursery.address, Nursery.township, Nursery.lat,
                Nursery.lng, Nursery.kind, Nursery.inclusive)


@dataclass(frozen=True)
class OfferSummary:
    care_types: list[str] = field(default_factory=list)
    min_price_fen: dict[str, int] = field(default_factory=dict)
    has_vacancy: bool | None = None
    # False drops the nursery: it does not offer ``care_type``, or no offering takes the child.
    matches: bool = True


@dataclass
class Listing:
    """A nursery as parents see it in search and detail."""

    nursery: Nursery
    distance_m: float | None
    offers: OfferSummary
    offerings: list = field(default_factory=list)


def offer_summaries(nursery_ids: list[int], *, care_type: str | None, day: date | None,
                    child: Child | None, now: datetime | None = None,
                    offer_minutes: int) -> dict[int, OfferSummary]:
    """Offer facts per nursery id (every id present in the answer), from the offerings and
    slots (services.vacancies: a fixed number of queries per few thousand ids).

    ``has_vacancy`` stays None unless both ``day`` and ``care_type`` are given; ``matches``
    is False when the nursery does not offer ``care_type`` or no offering (of that care
    type) takes the child's age on ``day`` (today without one).
    """
    facts = vacancies.offer_facts(nursery_ids, care_type=care_type, day=day, child=child,
                                  now=now or utcnow(),
                                  offer_minutes=offer_minutes)
    return {nursery_id: OfferSummary(**facts[nursery_id]) for nursery_id in nursery_ids}


def nursery_offerings(nursery_id: int) -> list:
    """The offerings shown on the detail page, in care-type order."""
    return offerings.list_offerings([nursery_id])[nursery_id]


def visible_to_parents():
    """SQL twin of Nursery.is_visible_to_parents."""
    return and_(Nursery.filing_status == FilingStatus.APPROVED,
                or_(Nursery.kind != NurseryKind.EMPLOYER, Nursery.open_to_public.is_(True)))


def search_nurseries(*, now: datetime, viewer_id: int | None, lat: float | None = None,
                     lng: float | None = None, radius_km: float = 5, care_type: str | None = None,
                     day: date | None = None, child_id: int | None = None,
                     inclusive: bool | None = None, township: str | None = None,
                     q: str | None = None, page: int = 1, per_page: int = 20,
                     offer_minutes: int) -> dict:
    """Visible nurseries, nearest first (by name without a position), one page.

    Raises Unauthorized (child_id without a parent login), NotFound (not their child),
    ValidationFailed on ``date`` (before the child was born: no age to match offers by).
    """
    child = _own_child(viewer_id, child_id)
    if child is not None and day is None:
        day = local_today(now)
    if child is not None and day < child.birth_date:
        raise ValidationFailed.on("date", "日期不能早于孩子的出生日期。")
    filters = _filters(inclusive, township, q)
    filtering = care_type is not None or child is not None
    by_distance = lat is not None and lng is not None
    (start, count), radius_m = _window(page, per_page), radius_km * 1000
    if not filtering:
        if not by_distance:
            return _page_by_name(filters, care_type, day, page, per_page, now,
                                 offer_minutes=offer_minutes)
        window, total = nearest(lat, lng, radius_m=radius_m, filters=filters, start=start,
                                count=count, count_limit=TOTAL_CAP + 1)
        offers = offer_summaries([nid for _, nid in window], care_type=care_type, day=day,
                                 child=None, now=now,
                                 offer_minutes=offer_minutes)
    else:
        window, total, offers = _filtered_page(filters, lat, lng, radius_m, care_type, day,
                                               child, start, count, now,
                                               offer_minutes=offer_minutes)
    rows = {n.id: n for n in db.session.execute(  # Core rows: what a list item shows
        db.select(*LIST_COLUMNS).where(Nursery.id.in_([nid for _, nid in window])))}
    items = [Listing(rows[nid], None if h is None else metres(h), offers[nid])
             for h, nid in window]
    return _page(items, page, per_page, total)


def _window(page: int, per_page: int) -> tuple[int, int]:
    """Where the page starts, and how many it lists: none past the TOTAL_CAP-th match."""
    start = (page - 1) * per_page
    return start, max(0, min(per_page, TOTAL_CAP - start))


def _page(items: list, page: int, per_page: int, total: int) -> dict:
    """The list envelope; ``total`` is the matches counted up to at least TOTAL_CAP + 1."""
    result = {"items": items, "page": page, "per_page": per_page, "total": min(total, TOTAL_CAP)}
    if total > TOTAL_CAP:
        result["total_capped"] = True
    return result


def _filtered_page(filters: list, lat: float | None, lng: float | None, radius_m: float,
                   care_type: str | None, day: date | None, child: Child | None, start: int,
                   count: int, now: datetime, *, offer_minutes: int) -> tuple[list, int, dict]:
    """Offer filters need every candidate: rank them all, keep the matching, cut one page."""
    if lat is not None and lng is not None:
        ranked = within_radius(lat, lng, radius_m, filters)
    else:
        ranked = [(None, nid) for nid in db.session.scalars(
            db.select(Nursery.id).where(*filters).order_by(Nursery.name, Nursery.id))]
    offers = offer_summaries([nid for _, nid in ranked], care_type=care_type, day=day, child=child,
                             now=now,
                             offer_minutes=offer_minutes)
    ranked = [hit for hit in ranked if offers[hit[1]].matches]
    end = start + count
    window = heapq.nsmallest(end, ranked)[start:] if lat is not None else ranked[start:end]
    return window, len(ranked), offers


def get_public_nursery(nursery_id: int, *, now: datetime, lat: float | None = None,
                       lng: float | None = None, care_type: str | None = None,
                       day: date | None = None, offer_minutes: int) -> Listing:
    """One visible nursery with its filing disclosure; anything else is NotFound."""
    nursery = db.session.get(Nursery, nursery_id)
    if nursery is None or not nursery.is_visible_to_parents:
        raise NotFound("没有找到这家托育机构。")
    distance = None if lat is None or lng is None else distance_m(
        lat, lng, nursery.lat, nursery.lng)
    offers = offer_summaries([nursery.id], care_type=care_type, day=day, child=None, now=now,
                             offer_minutes=offer_minutes)[nursery.id]
    return Listing(nursery, distance, offers, nursery_offerings(nursery.id))


# What the public page shows of a nursery, and of each of its offerings (one row each).
DETAIL_COLUMNS = (Nursery.id, Nursery.name, Nursery.address, Nursery.township, Nursery.lat,
                  Nursery.lng, Nursery.kind, Nursery.inclusive, Nursery.phone,
                  Nursery.description, Nursery.licensed_places, Nursery.opening_hours,
                  Nursery.filing_no, Nursery.filed_on, Nursery.registration_type,
                  Nursery.open_to_public)
OFFERING_COLUMNS = (Offering.care_type, Offering.price_fen, Offering.age_min_months,
                    Offering.age_max_months, Offering.book_ahead_days,
                    Offering.min_notice_hours, Offering.cancel_cutoff_hours)
# Built once: building the statement per request was a fifth of the page's time.
PUBLIC_PAGE = (db.select(*DETAIL_COLUMNS, *OFFERING_COLUMNS)
               .outerjoin(Offering, Offering.nursery_id == Nursery.id)
               .where(Nursery.id == bindparam("nursery_id"), visible_to_parents()))


def public_nursery_rows(nursery_id: int, *, now: datetime, lat: float | None = None,
                        lng: float | None = None, care_type: str | None = None,
                        day: date | None = None,
                        offer_minutes: int) -> tuple[list[Row], float | None, bool | None]:
    """``get_public_nursery`` as Core rows, one statement: (the nursery's columns with one
    offering's per row, the offering columns None without any; distance_m; has_vacancy).
    Same rules; ``has_vacancy`` (only with ``care_type`` and ``day``) asks offer_summaries.
    The public page is a hot read: ORM objects and three statements were most of its time.
    Raises NotFound (unknown, not approved, an employer's not open to the public).
    """
    rows = db.session.execute(PUBLIC_PAGE, {"nursery_id": nursery_id}).all()
    if not rows:
        raise NotFound("没有找到这家托育机构。")
    first = rows[0]
    distance = None if lat is None or lng is None else distance_m(lat, lng, first.lat,
                                                                  first.lng)
    vacancy = None
    if care_type and day:
        vacancy = offer_summaries([nursery_id], care_type=care_type, day=day, child=None,
                                  now=now, offer_minutes=offer_minutes)[nursery_id].has_vacancy
    return rows, distance, vacancy


def _own_child(viewer_id: int | None, child_id: int | None) -> Child | None:
    if child_id is None:
        return None
    if viewer_id is None:
        raise Unauthorized("按孩子筛选需要先登录。")
    return children.get_child(viewer_id, child_id)


def _filters(inclusive: bool | None, township: str | None, q: str | None) -> list:
    filters = [visible_to_parents()]
    if inclusive is not None:
        filters.append(Nursery.inclusive.is_(inclusive))
    if township is not None:
        filters.append(Nursery.township == township)
    if q:
        filters.append(Nursery.name.icontains(q, autoescape=True))
    return filters


def _page_by_name(filters: list, care_type: str | None, day: date | None,
                  page: int, per_page: int, now: datetime, *, offer_minutes: int) -> dict:
    start, count = _window(page, per_page)
    # Counting the first TOTAL_CAP + 1 by name walks the page's own index and stops there.
    matches = db.select(Nursery.name).where(*filters).order_by(Nursery.name).limit(
        TOTAL_CAP + 1)
    total = db.session.scalar(db.select(db.func.count()).select_from(matches.subquery()))
    rows = list(db.session.scalars(db.select(Nursery).where(*filters).order_by(
        Nursery.name, Nursery.id).offset(start).limit(count))) if count else []
    offers = offer_summaries([n.id for n in rows], care_type=care_type, day=day,
                             child=None, now=now,
                             offer_minutes=offer_minutes)
    return _page([Listing(n, None, offers[n.id]) for n in rows], page, per_page, total)
