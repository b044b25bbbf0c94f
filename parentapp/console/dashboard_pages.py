"""The regulator's dashboard (open alerts, policy figures, charts with their tables) and
the statistics CSV, the same file the API's ``GET /admin/stats.csv`` gives for the same year.

The open alerts come from the alerts page's own listing and are named as that page
names them (``alert_pages``), so the two never disagree.
"""

from __future__ import annotations

from flask import Response, render_template, request

from parentapp import service_settings
from parentapp.console.alert_pages import KIND_NAMES, alert_summary, nursery_names
from parentapp.console.blueprint import bp
from parentapp.console.dashboard_charts import occupancy_chart, places_chart
from parentapp.console.demand_block import PARAM as DEMAND_PARAM
from parentapp.console.demand_block import demand_block
from parentapp.console.forms import banner_text, submit
from parentapp.console.session_auth import signed_in
from parentapp.domain import AlertStatus
from parentapp.models import utcnow
from parentapp.schemas.statistics import StatsQuerySchema
from parentapp.services.alerts import listing
from parentapp.services.stats import csv_export, policy_figures
from parentapp.timeutil import local_today

FIGURE_LABELS = {
    "places_per_1000": ("每千人托位数", "≥ {target}"),
    "inclusive_nurseries": ("普惠托育机构", "每个街道 ≥ {target}"),
    "kindergarten_classes": ("开设托班的幼儿园", "≥ {target} 所"),
    "activities_held": ("科学育儿活动", "每个乡镇每年 ≥ {target} 场"),
    "guidance_rate": ("科学育儿指导覆盖率", "≥ {target:.0%}"),
    "health_management_rate": ("婴幼儿健康管理率（本系统口径）", "≥ {target:.0%}"),
}

# The health figures side by side, each with its definition: the product's own proxy
# (the one the policy target is compared with) and the two official figures.
HEALTH_DEFINITIONS = (
    ("health_management_rate", "婴幼儿健康管理率（本系统口径）",
     "在本系统登记的3岁以下儿童中，到目前为止应做的每一次健康检查（含新生儿访视、满月，"
     "逾期30天内不计）都已记录的比例。比官方口径更严格，政策目标 90% 与此比较。"),
    ("system_management_rate", "3岁以下儿童系统管理率（官方口径）",
     "3岁以下儿童中，按4:2:2要求（1岁内3、6、8、12月龄4次，第2年18、24月龄2次，"
     "第3年30、36月龄2次）接受了其月龄已到的各次体检的比例（逾期30天内不计）。"),
    ("child_health_management_rate", "0-6岁儿童健康管理率（官方口径）",
     "7岁以下儿童中，本年度至少记录过一次健康检查的比例。"),
)
LATEST_ALERTS = 5


def _stats(year: int | None = None) -> dict:
    now = utcnow()
    return policy_figures.policy_stats(year or local_today(now).year, now,
                                       schedule=service_settings.health_schedule())


def _open_alerts() -> dict:
    """Every nursery's open alerts: how many of each kind, and the latest few."""
    latest = listing.county_alerts(status=AlertStatus.OPEN, page=1, per_page=LATEST_ALERTS)
    counts = listing.county_open_counts()
    return {"total": latest["total"], "latest": latest["items"],
            "counts": [(kind, name, counts.get(kind, 0)) for kind, name in KIND_NAMES.items()],
            "nurseries": nursery_names(latest["items"]), "summary": alert_summary}


def _asked_stats():
    """The figures for the year asked (``?year=``, as the API reads it), or the error page."""
    asked = {k: v for k, v in request.args.items() if k != DEMAND_PARAM}  # the demand block's
    stats, errors = submit(_stats, StatsQuerySchema(), asked)
    if errors:
        return None, (render_template("console/error.html", message=banner_text(errors)), 422)
    return stats, None


@bp.route("/dashboard")
@signed_in("regulator")
def dashboard():
    stats, refusal = _asked_stats()
    if refusal:
        return refusal
    return render_template(
        "console/dashboard.html", stats=stats, labels=FIGURE_LABELS,
        health_definitions=HEALTH_DEFINITIONS,
        charts={"places": places_chart(stats), "occupancy": occupancy_chart(stats)},
        years=range(policy_figures.FIRST_YEAR, local_today(utcnow()).year + 1),
        alerts=_open_alerts(), kinds=KIND_NAMES, demand=demand_block())


@bp.route("/dashboard/stats.csv")
@signed_in("regulator")
def stats_csv():
    stats, refusal = _asked_stats()
    if refusal:
        return refusal
    return Response(csv_export.stats_csv(stats), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={csv_export.filename(stats['year'])}"})
