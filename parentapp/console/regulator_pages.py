"""Regulator pages: township populations (the dashboard is in dashboard_pages)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, submit
from parentapp.console.session_auth import signed_in
from parentapp.models import utcnow
from parentapp.schemas.statistics import TownshipPopulationSchema
from parentapp.services.stats import townships


@bp.route("/townships")
@signed_in("regulator")
def township_list():
    return _townships_page()


@bp.route("/townships/<code>", methods=["POST"])
@signed_in("regulator")
def township_population(code):
    typed = request.form.get("population", "").strip()
    _, errors = submit(lambda population: townships.set_population(
                           code, population, actor_id=g.console_user.id, now=utcnow()),
                       TownshipPopulationSchema(), {"population": typed or None})
    if errors:
        return _townships_page(code, typed, errors), 422
    flash("人口已更新。", "success")
    return redirect(url_for("console.township_list"))


def _townships_page(failed: str | None = None, typed: str = "", errors: Errors | None = None):
    """Every township with its own form; a refused one shows what was typed and why."""
    return render_template("console/townships.html", townships=townships.list_townships(),
                           failed=failed, typed=typed, errors=errors or {})
