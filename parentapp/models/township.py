"""The county's townships; the regulator sets their resident population."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from parentapp.extensions import db


class Township(db.Model):
    __tablename__ = "townships"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    # subdistrict (街道), town (镇) or township (乡): targets differ for 街道.
    kind: Mapped[str] = mapped_column(String(12))
    sort_order: Mapped[int]
    population: Mapped[int | None]
    population_estimated: Mapped[bool] = mapped_column(default=True)
