"""Search reads through its indexes: no full-table scan, a fixed number of statements."""

import os
import random
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from parentapp.extensions import db
from parentapp.models import Nursery, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.nurseries import geo
from parentapp.services.nurseries.search import search_nurseries
from tests.factories import make_user
from tests.sqlcount import count_statements


@pytest.fixture
def many_nurseries(db):
    rnd = random.Random(7)
    operator_id = make_user("operator").id
    now = utcnow()
    rows = [{"operator_id": operator_id, "name": f"托育园{i:05d}", "address": "某路 1 号",
             "township": rnd.choice(["500240001", "500240002", "500240100"]),
             "lat": rnd.uniform(29.65, 30.53), "lng": rnd.uniform(107.98, 108.57),
             "phone": "13800000000", "kind": "nursery", "licensed_places": 30,
             "registration_type": "for_profit", "credit_code": "x", "opening_hours": {},
             "description": "", "inclusive": False, "open_to_public": True,
             "filing_status": rnd.choice(["approved", "approved", "pending", "draft"]),
             "created_at": now, "updated_at": now} for i in range(4000)]
    db.session.execute(db.insert(Nursery), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@contextmanager
def captured():
    """The (statement, parameters) the block sends, as the driver receives them."""
    sent = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        if _reads_nurseries(statement):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def _plan(statement: str, parameters) -> str:
    conn = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(row[-1] for row in rows)
    return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))


def _plans_of(**query) -> list[str]:
    with captured() as sent:
        search_nurseries(now=utcnow(), viewer_id=None, **query, offer_minutes=offer_minutes())
    return [_plan(*s) for s in sent]


@pytest.fixture(params=["sql", "python"])
def geo_mode(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(geo, "sql_math_available", lambda: False)
    return request.param


@pytest.mark.parametrize("query", [{}, {"inclusive": True}, {"township": "500240002"}])
def test_position_search_reads_the_bounding_box_index(many_nurseries, geo_mode, query):
    ranking = _plans_of(lat=29.999, lng=108.114, radius_km=5, **query)[0]
    # PostgreSQL ranks in SQL through its nearest-first GiST index (below).
    knn = db.engine.dialect.name == "postgresql" and geo_mode == "sql"
    assert ("ix_nurseries_search_knn" if knn else "ix_nurseries_search_box") in ranking, ranking
    assert "SCAN nurseries" not in ranking and "Seq Scan" not in ranking, ranking
    if db.engine.dialect.name == "sqlite":  # covering: the table itself is never read
        assert "COVERING INDEX ix_nurseries_search_box" in ranking, ranking


postgresql_only = pytest.mark.skipif(
    "postgresql" not in os.environ.get("PARENTAPP_TEST_DATABASE_URL", ""),
    reason="the nearest-first index exists on PostgreSQL only")


@postgresql_only
@pytest.mark.parametrize("radius_km", [5, 50])
def test_postgresql_ranks_nearest_first_on_the_gist_index(many_nurseries, radius_km):
    """Every read of the ranking (capped count, KNN scan, page) goes through the GiST index.

    With 4,000 rows the planner may prefer a bitmap scan and a sort; with bitmap scans
    off the plan must order by the index (``Order By``), which proves the query's
    distance is the indexed expression (at 100,000 rows the planner picks it itself).
    """
    ranking = _plans_of(lat=29.999, lng=108.114, radius_km=radius_km)[0]
    assert ranking.count("ix_nurseries_search_knn") == 3, ranking
    assert "Seq Scan" not in ranking and "WindowAgg" not in ranking, ranking
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    ranking = _plans_of(lat=29.999, lng=108.114, radius_km=radius_km)[0]
    assert re.search(r"Index Only Scan using ix_nurseries_search_knn .*\n"
                     r"(\s+Index Cond: .*\n)?\s+Order By: .*<->", ranking), ranking


@pytest.mark.parametrize(("query", "index"), [
    ({}, "ix_nurseries_search_name"),
    ({"township": "500240002"}, "ix_nurseries_search_township"),
])
def test_listing_by_name_reads_its_index(many_nurseries, query, index):
    count, page = _plans_of(**query)
    assert index in page, page
    for plan in (count, page):  # the count may take any index on filing_status
        assert "Seq Scan" not in plan and "SCAN nurseries\n" not in plan + "\n", plan


def test_a_search_sends_a_fixed_number_of_statements(many_nurseries, geo_mode):
    """Two reads of the nurseries table (rank, then the page's rows) whatever the radius;
    the offerings' own reads (issue 4) do not grow with the candidates either."""
    counts = set()
    for radius_km in (1, 10, 50):
        with count_statements() as statements:
            result = search_nurseries(now=utcnow(), viewer_id=None, lat=30.1, lng=108.2,
                                      radius_km=radius_km, per_page=50,
                                      offer_minutes=offer_minutes())
        assert result["items"]
        assert len([s for s in statements if _reads_nurseries(s)]) == 2, statements
        counts.add(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    assert len(counts) == 1, statements
    with count_statements() as statements:
        search_nurseries(now=utcnow(), viewer_id=None, q="托育园", offer_minutes=offer_minutes())
    assert len([s for s in statements if _reads_nurseries(s)]) == 2, statements


def _reads_nurseries(statement: str) -> bool:
    """A SELECT that reads the nurseries table (directly or in a subquery or CTE)."""
    return statement.lstrip().upper().startswith(("SELECT", "WITH")) and bool(
        re.search(r"\bFROM\s+nurseries\b", statement))
