"""Operator pages: own nurseries (a nursery's profile and filing are nursery_pages, its
offerings offering_pages, the slot pages slot_pages, the day's roster roster_pages)."""

from __future__ import annotations

from flask import g, render_template

from parentapp.console.blueprint import bp
from parentapp.console.filing_pages import KIND_NAMES
from parentapp.console.session_auth import signed_in
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.nurseries.filings import STATUS_NAMES


@bp.route("/nurseries")
@signed_in("operator")
def my_nurseries():
    own = operator_nurseries.list_own_nurseries(g.console_user.id, 1, 100)
    return render_template("console/my_nurseries.html", nurseries=own["items"],
                           names=STATUS_NAMES, kinds=KIND_NAMES)
