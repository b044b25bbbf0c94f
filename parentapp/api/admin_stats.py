"""Policy statistics and township populations, for the county health commission."""

from flask import Response

from parentapp import service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.models import utcnow
from parentapp.schemas.statistics import (
    PolicyStatsSchema,
    StatsQuerySchema,
    TownshipAdminSchema,
    TownshipPopulationSchema,
)
from parentapp.security import auth_required, current_user
from parentapp.services.stats import csv_export, policy_figures, townships
from parentapp.timeutil import local_today

blp = Blueprint("admin_stats", __name__, url_prefix="/api/v1/admin",
                description="Policy statistics (regulators)")


def _stats(query: dict) -> dict:
    now = utcnow()
    return policy_figures.policy_stats(query.get("year", local_today(now).year), now,
                                       schedule=service_settings.health_schedule())


@blp.route("/stats")
@auth_required("regulator")
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, PolicyStatsSchema)
def get_stats(query):
    return _stats(query)


@blp.route("/stats.csv")
@auth_required("regulator")
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, description="the township table as CSV (UTF-8 with BOM)",
              content_type="text/csv")
def get_stats_csv(query):
    stats = _stats(query)
    return Response(csv_export.stats_csv(stats), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={csv_export.filename(stats['year'])}"})


@blp.route("/townships/<code>", methods=["PUT"])
@auth_required("regulator")
@blp.arguments(TownshipPopulationSchema)
@blp.response(200, TownshipAdminSchema)
def set_population(body, code):
    return townships.set_population(code, body["population"], actor_id=current_user().id,
                                    now=utcnow())
