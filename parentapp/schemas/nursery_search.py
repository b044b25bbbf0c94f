"""Parent search and the public nursery page (no login needed)."""

from __future__ import annotations

from marshmallow import ValidationError, pre_load, validate, validates_schema

from parentapp.domain import CareType, NurseryKind, RegistrationType
from parentapp.schemas import fields
from parentapp.schemas.base import (
    BaseSchema,
    PageQuerySchema,
    length,
    one_of,
    page_of,
    value_range,
)
from parentapp.schemas.nurseries import validate_township
from parentapp.schemas.offerings import OfferingSchema

MAX_RADIUS_KM = 50


class _PositionMixin:
    """Empty query values count as absent (``?lat=&lng=`` is the contract's URL template)."""

    @pre_load
    def _drop_empty(self, data, **kwargs):
        if hasattr(data, "items"):
            return {key: value for key, value in data.items()
                    if not (isinstance(value, str) and not value.strip())}
        return data

    @validates_schema
    def _lat_lng_together(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            raise ValidationError("lat 和 lng 需要同时提供。", field_name=missing)


class NurseryDetailQuerySchema(_PositionMixin, BaseSchema):
    lat = fields.Float(validate=value_range(-90, 90), metadata={"description": "GCJ-02"})
    lng = fields.Float(validate=value_range(-180, 180), metadata={"description": "GCJ-02"})
    care_type = fields.String(validate=one_of(CareType.values()))
    day = fields.Date(data_key="date", metadata={"description": "with care_type: has_vacancy"})


class NurserySearchQuerySchema(_PositionMixin, PageQuerySchema):
    lat = fields.Float(validate=value_range(-90, 90), metadata={"description": "GCJ-02"})
    lng = fields.Float(validate=value_range(-180, 180), metadata={"description": "GCJ-02"})
    radius_km = fields.Float(load_default=5, validate=validate.Range(
        min=0, max=MAX_RADIUS_KM, min_inclusive=False,
        error=f"应大于 0 且不超过 {MAX_RADIUS_KM}。"),
        metadata={"description": "used with lat and lng"})
    care_type = fields.String(validate=one_of(CareType.values()))
    day = fields.Date(data_key="date", metadata={"description": "with care_type: has_vacancy"})
    child_id = fields.Integer(validate=value_range(min=1),
                              metadata={"description": "a child of the logged-in parent"})
    inclusive = fields.Boolean()
    township = fields.String(validate=validate_township)
    q = fields.Text(validate=length(1, 30), metadata={"description": "name contains"})


class NurseryListItemSchema(BaseSchema):
    id = fields.Integer(attribute="nursery.id", required=True)
    name = fields.String(attribute="nursery.name", required=True)
    address = fields.String(attribute="nursery.address", required=True)
    township = fields.String(attribute="nursery.township", required=True)
    lat = fields.Float(attribute="nursery.lat", required=True)
    lng = fields.Float(attribute="nursery.lng", required=True)
    distance_m = fields.Method("_distance", allow_none=True, metadata={
        "type": "integer", "description": "metres from lat/lng; null without a position"})
    kind = fields.String(attribute="nursery.kind", required=True,
                         metadata={"enum": list(NurseryKind.values())})
    inclusive = fields.Boolean(attribute="nursery.inclusive", required=True)
    care_types = fields.List(fields.String(), attribute="offers.care_types", required=True)
    min_price_fen = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                attribute="offers.min_price_fen", required=True)
    has_vacancy = fields.Boolean(attribute="offers.has_vacancy", allow_none=True)

    def _distance(self, listing) -> int | None:
        return None if listing.distance_m is None else round(listing.distance_m)


def nursery_list_item(listing) -> dict:
    """What ``NurseryListItemSchema`` dumps for a search result (a services.nurseries.search
    Listing), built directly: a search page's dump was a tenth of its time. Same keys and
    values; the schema stays the documented answer (tests/api/test_nursery_search_fast.py
    holds them equal)."""
    nursery, offers = listing.nursery, listing.offers
    return {"id": nursery.id, "name": nursery.name, "address": nursery.address,
            "township": nursery.township, "lat": nursery.lat, "lng": nursery.lng,
            "distance_m": None if listing.distance_m is None else round(listing.distance_m),
            "kind": str(nursery.kind), "inclusive": nursery.inclusive,
            "care_types": [str(c) for c in offers.care_types],  # care types are StrEnums
            "min_price_fen": {str(c): fen for c, fen in offers.min_price_fen.items()},
            "has_vacancy": offers.has_vacancy}


class NurserySearchPageSchema(page_of(NurseryListItemSchema)):
    total_capped = fields.Boolean(metadata={
        "description": "present (true) when more than 1,000 match: total is then 1000 and "
                       "pages past the 1,000th match are empty"})


class NurseryFilingDisclosureSchema(BaseSchema):
    filing_no = fields.String(required=True)
    filed_on = fields.Date(required=True)
    registration_type = fields.String(required=True,
                                      metadata={"enum": list(RegistrationType.values())})


class NurseryDetailSchema(NurseryListItemSchema):
    phone = fields.String(attribute="nursery.phone", required=True)
    description = fields.String(attribute="nursery.description", required=True)
    licensed_places = fields.Integer(attribute="nursery.licensed_places", required=True)
    opening_hours = fields.Dict(attribute="nursery.opening_hours", required=True)
    filing = fields.Nested(NurseryFilingDisclosureSchema, attribute="nursery", required=True)
    offerings = fields.List(fields.Nested(OfferingSchema), required=True)
    open_to_public = fields.Boolean(attribute="nursery.open_to_public", required=True)


OFFERING_KEYS = ("care_type", "price_fen", "age_min_months", "age_max_months",
                 "book_ahead_days", "min_notice_hours", "cancel_cutoff_hours")
_CARE_ORDER = {care_type: n for n, care_type in enumerate(CareType)}


def nursery_detail(rows, distance_m: float | None, has_vacancy: bool | None) -> dict:
    """What ``NurseryDetailSchema`` dumps for a public nursery page, built directly from
    ``search.public_nursery_rows`` (the nursery's columns, one offering's per row). Same
    keys, order and values; the schema stays the documented answer
    (tests/api/test_nursery_detail_fast.py holds them equal).
    """
    n = rows[0]
    offerings = sorted((dict(zip(OFFERING_KEYS, row[-len(OFFERING_KEYS):], strict=True))
                        for row in rows if row.care_type is not None),
                       key=lambda o: _CARE_ORDER[o["care_type"]])
    return {"id": n.id, "name": n.name, "address": n.address, "township": n.township,
            "lat": n.lat, "lng": n.lng,
            "distance_m": None if distance_m is None else round(distance_m),
            "kind": n.kind, "inclusive": n.inclusive,
            "care_types": [o["care_type"] for o in offerings],
            "min_price_fen": {o["care_type"]: o["price_fen"] for o in offerings},
            "has_vacancy": has_vacancy, "phone": n.phone, "description": n.description,
            "licensed_places": n.licensed_places, "opening_hours": n.opening_hours,
            "filing": {"filing_no": n.filing_no,
                       "filed_on": None if n.filed_on is None else n.filed_on.isoformat(),
                       "registration_type": n.registration_type},
            "offerings": offerings, "open_to_public": n.open_to_public}
