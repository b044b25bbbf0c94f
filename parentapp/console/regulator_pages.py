"""Regulator pages: the policy dashboard and township populations."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from parentapp import service_settings
from parentapp.console.blueprint import bp
from parentapp.console.forms import app_errors, attempt, banner_text
from parentapp.console.session_auth import signed_in
from parentapp.console.svg_chart import bar_chart
from parentapp.errors import AppError
from parentapp.models import utcnow
from parentapp.schemas.statistics import TownshipPopulationSchema
from parentapp.services.stats import policy_figures, townships
from parentapp.timeutil import local_today

FIGURE_LABELS = {
    "places_per_1000": ("每千人托位数", "≥ {target}"),
    "inclusive_nurseries": ("普惠托育机构", "每个街道 ≥ {target}"),
    "kindergarten_classes": ("开设托班的幼儿园", "≥ {target} 所"),
    "activities_held": ("科学育儿活动", "每个乡镇每年 ≥ {target} 场"),
    "guidance_rate": ("科学育儿指导覆盖率", "≥ {target:.0%}"),
    "health_management_rate": ("婴幼儿健康管理率", "≥ {target:.0%}"),
}


@bp.route("/dashboard")
@signed_in("regulator")
def dashboard():
    now = utcnow()
    year = request.args.get("year", type=int) or local_today(now).year
    try:
        stats = policy_figures.policy_stats(year, now,
                                            schedule=service_settings.health_schedule())
    except AppError as exc:
        return render_template("console/error.html",
                               message=banner_text(app_errors(exc))), exc.status
    chart = bar_chart([(row["name"], row["code"], row["places_per_1000"])
                       for row in stats["townships"]],
                      target=stats["targets"]["places_per_1000"])
    return render_template("console/dashboard.html", stats=stats, chart=chart,
                           labels=FIGURE_LABELS, years=range(policy_figures.FIRST_YEAR,
                                                             local_today(now).year + 1))


@bp.route("/townships")
@signed_in("regulator")
def township_list():
    return render_template("console/townships.html", townships=townships.list_townships())


@bp.route("/townships/<code>", methods=["POST"])
@signed_in("regulator")
def township_population(code):
    attempt(lambda population: townships.set_population(
                code, population, actor_id=g.console_user.id, now=utcnow()),
            "人口已更新。", TownshipPopulationSchema(), {"population": request.form.get(
                "population", "").strip() or None})
    return redirect(url_for("console.township_list"))
