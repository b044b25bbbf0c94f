"""A nursery and its filing (备案) with the county health commission."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parentapp.domain import FilingStatus, NurseryKind, RegistrationType
from parentapp.extensions import db
from parentapp.models.base import UTCDateTime, sql_in, utcnow

# Changing one of these on an approved nursery means re-filing (the policy: a change
# of the registered facts must be filed again). The rest is descriptive.
REGISTRATION_FACTS = ("name", "credit_code", "address", "licensed_places", "township", "lat",
                      "lng", "kind", "registration_type", "inclusive")
# 家庭托育点管理办法（试行）: a family care point looks after at most 5 children.
FAMILY_MAX_PLACES = 5


class Nursery(db.Model):
    __tablename__ = "nurseries"
    __table_args__ = (
        CheckConstraint(sql_in("kind", NurseryKind), name="kind"),
        CheckConstraint(sql_in("registration_type", RegistrationType), name="registration_type"),
        CheckConstraint(sql_in("filing_status", FilingStatus), name="filing_status"),
        CheckConstraint("licensed_places > 0", name="licensed_places_positive"),
        CheckConstraint(f"kind != '{NurseryKind.FAMILY}' OR licensed_places <= {FAMILY_MAX_PLACES}",
                        name="family_places"),
        Index("ix_nurseries_operator_id", "operator_id"),
        # Parent search: only approved rows, bounding box on latitude then longitude. The
        # trailing columns make it covering for the visibility rule and the inclusive and
        # township filters, so a county-wide radius never touches the table.
        Index("ix_nurseries_search_box", "filing_status", "lat", "lng", "kind", "open_to_public",
              "inclusive", "township"),
        # Parent search without a position pages through approved rows by name (the count
        # of the whole listing is index-only), or through one township by name.
        Index("ix_nurseries_search_name", "filing_status", "name", "kind", "open_to_public",
              "inclusive"),
        Index("ix_nurseries_search_township", "filing_status", "township", "name", "kind",
              "open_to_public", "inclusive"),
        # The regulator's queue, oldest submission first.
        Index("ix_nurseries_filing_queue", "filing_status", "submitted_at"),
        # The register import matches rows by credit code.
        Index("ix_nurseries_credit_code", "credit_code"),
        # One filing number names one nursery (a re-approved nursery may keep its own).
        UniqueConstraint("filing_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(120))
    township: Mapped[str] = mapped_column(ForeignKey("townships.code"))
    lat: Mapped[float]
    lng: Mapped[float]
    phone: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(24))
    inclusive: Mapped[bool] = mapped_column(default=False)
    licensed_places: Mapped[int]
    # {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"], "pm": ["14:00", "17:30"]}
    opening_hours: Mapped[dict] = mapped_column(JSON)
    registration_type: Mapped[str] = mapped_column(String(16))
    credit_code: Mapped[str] = mapped_column(String(18))
    description: Mapped[str] = mapped_column(Text, default="")
    open_to_public: Mapped[bool] = mapped_column(default=True)
    filing_status: Mapped[str] = mapped_column(String(12), default=FilingStatus.DRAFT)
    filing_no: Mapped[str | None] = mapped_column(String(40))
    filed_on: Mapped[date | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    events: Mapped[list[FilingEvent]] = relationship(
        order_by="FilingEvent.id", viewonly=True)

    @property
    def is_visible_to_parents(self) -> bool:
        return self.filing_status == FilingStatus.APPROVED and (
            self.kind != NurseryKind.EMPLOYER or self.open_to_public)


def unit_sphere_point(lat, lng):
    """The point (x, y, z) on the unit sphere as a ``cube`` (PostgreSQL's contrib ``cube``).

    The straight-line distance between two such points (cube's ``<->``) grows with the
    great-circle distance, so a GiST index on this expression answers "nearest first".
    Index and queries build it here, so the planner sees the same expression.
    """
    phi, lam = func.radians(lat), func.radians(lng)
    return func.cube(array([func.cos(phi) * func.cos(lam), func.cos(phi) * func.sin(lam),
                            func.sin(phi)]))


# PostgreSQL only (SQLite keeps the bounding-box index above): the result page comes
# nearest first from a GiST (k-nearest-neighbour) scan that stops after one page, covering
# for the visibility rule, the filters and haversine's inputs, so no heap is read. Plain
# ``cube`` rather than earthdistance's ll_to_earth(): that SQL function names cube and earth
# without a schema, and an index on it fails to restore from pg_dump (empty search_path).
SEARCH_EXTENSIONS = ("cube", "pg_trgm")
Index("ix_nurseries_search_knn", unit_sphere_point(Nursery.lat, Nursery.lng),
      postgresql_using="gist",
      postgresql_include=["id", "lat", "lng", "filing_status", "kind", "open_to_public",
                          "inclusive", "township"],
      info={"dialect": "postgresql"}).ddl_if(dialect="postgresql")
# ``q=`` (name contains, ILIKE on PostgreSQL) through trigrams instead of reading every row.
Index("ix_nurseries_name_trgm", Nursery.name, postgresql_using="gin",
      postgresql_ops={"name": "gin_trgm_ops"},
      info={"dialect": "postgresql"}).ddl_if(dialect="postgresql")
for _extension in SEARCH_EXTENSIONS:
    event.listen(Nursery.__table__, "before_create", DDL(
        f"CREATE EXTENSION IF NOT EXISTS {_extension}").execute_if(dialect="postgresql"))


class FilingEvent(db.Model):
    """One transition of a filing: who, when, why. The regulator's audit trail."""

    __tablename__ = "filing_events"
    __table_args__ = (Index("ix_filing_events_nursery_id", "nursery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nursery_id: Mapped[int] = mapped_column(ForeignKey("nurseries.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    filing_no: Mapped[str | None] = mapped_column(String(40))
    # Registration facts changed, {field: [old, new]}: by the operator (what the regulator
    # must look at before re-approving) or by a register import.
    changes: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()  # noqa: F821
