"""Distances for parent search: haversine, the bounding box, and nearest-first ranking.

On PostgreSQL the page comes nearest first from the GiST index
``ix_nurseries_search_knn`` on each nursery's unit-sphere point (contrib ``cube``): the
scan stops after one page instead of sorting every match (``_knn_page``). Elsewhere
candidates come from a bounding box around the circle, read through the covering
index ``ix_nurseries_search_box`` (filing_status, lat, lng, ...). The exact test is
haversine's ``h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)``, which grows with the
distance: a point is inside iff ``h <= sin²(r / 2R)``, and sorting by h is sorting
by distance. Where the database has trigonometric functions (PostgreSQL; SQLite
built with its math functions) h is computed, filtered, sorted and counted there,
so only one page of ids leaves the database; otherwise (id, lat, lng) of the
candidates come to Python. Both compute h with the same arithmetic. Counting stops at
the caller's limit (the contract's capped total), so it never reads every match either.

PostgreSQL raises on float underflow, which sin² of a latitude or longitude
difference below about 1e-154 radians would cause; stored coordinates are validated
to lie in Shizhu (far from zero), so a difference is either 0 or above 1e-16.
"""

from __future__ import annotations

import heapq
import math

from sqlalchemy import Float, func, literal, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.exc import OperationalError

from parentapp.extensions import db
from parentapp.models import Nursery
from parentapp.models.nursery import unit_sphere_point

EARTH_RADIUS_M = 6_371_000.0
# Widens the box by a hair so rounding never drops a point that is exactly on the circle.
_BOX_MARGIN_DEG = 1e-9
# A unit-sphere chord (1e-9 is about 6 mm) added to every ball the KNN path reads: far
# above the rounding of a computed chord (about 1e-15), so no nursery is missed; it only
# adds candidates that the exact haversine test and sort then place or drop.
_CHORD_MARGIN = 1e-9
_sql_math_by_url: dict[str, bool] = {}


class Origin:
    """A search position, with what every distance from it shares computed once."""

    def __init__(self, lat: float, lng: float):
        self.phi, self.lam = math.radians(lat), math.radians(lng)
        self.cos_phi = math.cos(self.phi)

    def half_chord(self, lat: float, lng: float) -> float:
        phi = math.radians(lat)
        a = math.sin((phi - self.phi) * 0.5)
        b = math.sin((math.radians(lng) - self.lam) * 0.5)
        return a * a + self.cos_phi * math.cos(phi) * b * b

    def half_chord_sql(self):
        """The same h as a SQL expression over the nursery's lat/lng."""
        phi = func.radians(Nursery.lat, type_=Float)
        a = func.sin((phi - self.phi) * 0.5, type_=Float)
        b = func.sin((func.radians(Nursery.lng, type_=Float) - self.lam) * 0.5, type_=Float)
        return a * a + self.cos_phi * func.cos(phi, type_=Float) * b * b

    def unit_sphere_point(self):
        """This position as models.nursery.unit_sphere_point computes a nursery's."""
        cos_phi = self.cos_phi
        return func.cube(array([literal(cos_phi * math.cos(self.lam), Float),
                                literal(cos_phi * math.sin(self.lam), Float),
                                literal(math.sin(self.phi), Float)]))


def metres(h: float) -> float:
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    return metres(Origin(lat1, lng1).half_chord(lat2, lng2))


def half_chord_limit(radius_m: float) -> float:
    """The h of a point exactly ``radius_m`` away: inside the circle iff h <= this."""
    return math.sin(radius_m / EARTH_RADIUS_M / 2) ** 2


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) holding every point within ``radius_m``.

    The longitude half-width is asin(sin(r) / cos(lat)), the widest east-west reach of
    the circle (not at its centre latitude). Near a pole or across the antimeridian the
    box spans all longitudes.
    """
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle) + _BOX_MARGIN_DEG
    min_lat, max_lat = lat - dlat, lat + dlat
    ratio = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-12)
    if max_lat >= 90 or min_lat <= -90 or ratio >= 1:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    dlng = math.degrees(math.asin(ratio)) + _BOX_MARGIN_DEG
    if lng - dlng < -180 or lng + dlng > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lng - dlng, lng + dlng


def in_box(lat: float, lng: float, radius_m: float) -> list:
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    return [Nursery.lat.between(min_lat, max_lat), Nursery.lng.between(min_lng, max_lng)]


def sql_math_available() -> bool:
    """Whether the database computes sin/cos/radians (SQLite only with its math functions)."""
    if db.engine.dialect.name == "postgresql":
        return True
    key = str(db.engine.url)
    if key not in _sql_math_by_url:
        try:  # on this session's connection: a second SQLite connection could wait on ours
            db.session.connection().exec_driver_sql("SELECT sin(0.5), cos(0.5), radians(1.0)")
            _sql_math_by_url[key] = True
        except OperationalError:
            _sql_math_by_url[key] = False
    return _sql_math_by_url[key]


def within_radius(lat: float, lng: float, radius_m: float,
                  filters: list) -> list[tuple[float, int]]:
    """(h, id) of every nursery matching ``filters`` inside the circle, unsorted."""
    origin, limit = Origin(lat, lng), half_chord_limit(radius_m)
    conn = db.session.connection()  # Core rows: no ORM identity map for thousands of ids
    if sql_math_available():
        inner = _with_h(origin, lat, lng, radius_m, filters)
        return [(h, nid) for nid, h in conn.execute(
            select(inner.c.id, inner.c.h).where(inner.c.h <= limit))]
    stmt = select(Nursery.id, Nursery.lat, Nursery.lng).where(
        *filters, *in_box(lat, lng, radius_m))
    chord = origin.half_chord
    return [(h, nid) for nid, n_lat, n_lng in conn.execute(stmt)
            if (h := chord(n_lat, n_lng)) <= limit]


def nearest(lat: float, lng: float, *, radius_m: float, filters: list, start: int,
            count: int, count_limit: int) -> tuple[list[tuple[float, int]], int]:
    """The (h, id) ranked ``start`` to ``start + count`` by distance (ties by id), and
    how many are inside the circle, counted up to ``count_limit`` (no further: a 50 km
    circle holds the whole county, and counting stops the scan as soon as it may)."""
    if not sql_math_available():
        hits = within_radius(lat, lng, radius_m, filters)
        return heapq.nsmallest(start + count, hits)[start:], min(len(hits), count_limit)
    origin, limit = Origin(lat, lng), half_chord_limit(radius_m)
    if db.engine.dialect.name == "postgresql":
        inside, page = _knn_page(origin, limit, radius_m, filters, start, count)
    else:
        inner = _with_h(origin, lat, lng, radius_m, filters)
        inside = select(inner.c.id).where(inner.c.h <= limit)
        page = select(inner.c.id, inner.c.h).where(inner.c.h <= limit).order_by(
            inner.c.h, inner.c.id).offset(start).limit(count)
    counted = select(func.count()).select_from(inside.limit(count_limit).subquery())
    conn = db.session.connection()
    # One statement: the count is an uncorrelated subquery, computed once beside the page.
    rows = conn.execute(page.add_columns(counted.scalar_subquery())).all() if count else []
    if rows:
        return [(h, nid) for nid, h, _ in rows], rows[0][2]
    return [], 0 if start == 0 and count else conn.execute(counted).scalar_one()


def _knn_page(origin: Origin, limit: float, radius_m: float, filters: list, start: int,
              count: int):
    """PostgreSQL: (everything inside the circle, the page), both on the GiST index.

    The index orders by the straight-line distance d between unit-sphere points, which
    ranks like h but rounds differently, and ties come in no set order. So the KNN scan
    finds the first ``start + count`` by d; every nursery that could rank among them by
    (h, id) lies within the largest of those d (plus far more than any rounding), and
    that small ball, re-read through the index, is sorted by (h, id): the same page as
    sorting every match.
    """
    point, centre = unit_sphere_point(Nursery.lat, Nursery.lng), origin.unit_sphere_point()
    h = origin.half_chord_sql()
    chord = 2 * math.sin(radius_m / EARTH_RADIUS_M / 2)
    in_circle = [*filters, point.op("<@")(func.cube_enlarge(centre, chord + _CHORD_MARGIN, 3)),
                 h <= limit]
    distance = point.op("<->", return_type=Float)(centre)
    knn = select(distance.label("d")).where(*in_circle).order_by(distance).limit(
        start + count).cte("knn")
    reach = select(func.max(knn.c.d) + _CHORD_MARGIN).scalar_subquery()
    page = select(Nursery.id, h.label("h")).where(
        *filters, point.op("<@")(func.cube_enlarge(centre, reach, 3)), h <= limit).order_by(
        h, Nursery.id).offset(start).limit(count)
    return select(Nursery.id).where(*in_circle), page


def _with_h(origin: Origin, lat: float, lng: float, radius_m: float, filters: list):
    return select(Nursery.id.label("id"), origin.half_chord_sql().label("h")).where(
        *filters, *in_box(lat, lng, radius_m)).subquery()
