"""The contract's list envelope for any SELECT: two queries, whatever the page."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from parentapp.extensions import db


def paginate(stmt: Select, page: int, per_page: int) -> dict:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return {"items": items, "page": page, "per_page": per_page, "total": total}
