"""Deleting many rows without one huge statement: a batch at a time, by id."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select

from parentapp.extensions import db

DELETE_BATCH = 5000


def delete_batch(model, condition: ColumnElement[bool], size: int = DELETE_BATCH) -> int:
    """Delete up to ``size`` rows of ``model`` matching ``condition``, lowest ids first, in
    one statement; returns how many went (caller commits, and calls again while that
    equals ``size``). Short batches keep locks and the write-ahead log small."""
    ids = select(model.id).where(condition).order_by(model.id).limit(size)
    # DELETE ... WHERE id IN (SELECT id ... LIMIT n): the same statement on both databases.
    return db.session.execute(delete(model).where(model.id.in_(ids.scalar_subquery()))
                              .execution_options(synchronize_session=False)).rowcount
