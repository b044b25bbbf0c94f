from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, value_range

FIGURE_KEYS = ("places_per_1000", "inclusive_nurseries", "kindergarten_classes",
               "activities_held", "guidance_rate", "health_management_rate")

FAMILY = "filed family care points (家庭托育点, kind family), also counted as nurseries"
SYSTEM = ("0 to 1: 3岁以下儿童系统管理率, children under 3 with the 4:2:2 checks their age has "
          "reached (30 days' grace) / children under 3; official definition, no target here")
CHILD_HEALTH = ("0 to 1: 0-6岁儿童健康管理率, children under 7 with at least one check "
                "recorded in the year / children under 7; official definition")


def _met_schema():
    return type("TargetsMetSchema", (BaseSchema,), {
        key: fields.Boolean(allow_none=True) for key in FIGURE_KEYS})


TargetsMetSchema = _met_schema()


class TownshipFiguresSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    population = fields.Integer(allow_none=True)
    population_estimated = fields.Boolean()
    licensed_places = fields.Integer(required=True)
    places_per_1000 = fields.Float(allow_none=True)
    inclusive_nurseries = fields.Integer(required=True)
    kindergarten_classes = fields.Integer(required=True)
    family_care_points = fields.Integer(required=True, metadata={"description": FAMILY})
    family_care_places = fields.Integer(required=True, metadata={
        "description": "licensed places of the filed family care points (also in licensed_places)"})
    activities_held = fields.Integer(required=True)
    guidance_rate = fields.Float(allow_none=True, metadata={"description": "0 to 1"})
    health_management_rate = fields.Float(allow_none=True, metadata={"description": "0 to 1"})
    system_management_rate = fields.Float(allow_none=True, metadata={"description": SYSTEM})
    child_health_management_rate = fields.Float(allow_none=True,
                                                metadata={"description": CHILD_HEALTH})
    met = fields.Nested(TargetsMetSchema, metadata={"description": "null: no target here"})


class CountyFiguresSchema(BaseSchema):
    population = fields.Integer(required=True)
    licensed_places = fields.Integer(required=True)
    places_per_1000 = fields.Float(allow_none=True)
    inclusive_nurseries = fields.Integer(required=True)
    kindergarten_classes = fields.Integer(required=True)
    family_care_points = fields.Integer(required=True, metadata={"description": FAMILY})
    family_care_places = fields.Integer(required=True, metadata={
        "description": "licensed places of the filed family care points (also in licensed_places)"})
    activities_held = fields.Integer(required=True)
    guidance_rate = fields.Float(allow_none=True)
    health_management_rate = fields.Float(allow_none=True)
    system_management_rate = fields.Float(allow_none=True, metadata={"description": SYSTEM})
    child_health_management_rate = fields.Float(allow_none=True,
                                                metadata={"description": CHILD_HEALTH})
    subdistricts_without_inclusive = fields.List(fields.String())
    townships_below_activity_target = fields.List(fields.String())
    met = fields.Nested(TargetsMetSchema)


class OccupancyWeekSchema(BaseSchema):
    care_type = fields.String(required=True)
    week = fields.String(required=True, metadata={"description": "ISO week, e.g. 2026-W48"})
    booked = fields.Integer(required=True)
    offered = fields.Integer(required=True)
    rate = fields.Float(allow_none=True)


class TargetsSchema(BaseSchema):
    places_per_1000 = fields.Float()
    inclusive_nurseries = fields.Integer()
    kindergarten_classes = fields.Integer()
    activities_held = fields.Integer()
    guidance_rate = fields.Float()
    health_management_rate = fields.Float()


class PolicyStatsSchema(BaseSchema):
    year = fields.Integer(required=True)
    as_of = fields.Date(required=True, metadata={"description": "the day the figures describe"})
    county = fields.Nested(CountyFiguresSchema, required=True)
    townships = fields.List(fields.Nested(TownshipFiguresSchema), required=True)
    targets = fields.Nested(TargetsSchema, required=True)
    occupancy = fields.List(fields.Nested(OccupancyWeekSchema), required=True)


class StatsQuerySchema(BaseSchema):
    year = fields.Integer(metadata={"description": "default: this year"})


class TownshipPopulationSchema(BaseSchema):
    population = fields.Integer(required=True, validate=value_range(min=1, max=5_000_000))


class TownshipAdminSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    population = fields.Integer(allow_none=True)
    population_estimated = fields.Boolean(required=True)
