"""Operator pages: own nurseries (the slot pages are slot_pages, the day's roster
roster_pages)."""

from __future__ import annotations

from flask import g, render_template

from parentapp.console.blueprint import bp
from parentapp.console.session_auth import signed_in
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.nurseries.filings import STATUS_NAMES


@bp.route("/nurseries")
@signed_in("operator")
def my_nurseries():
    own = operator_nurseries.list_own_nurseries(g.console_user.id, 1, 100)
    return render_template("console/my_nurseries.html", nurseries=own["items"],
                           names=STATUS_NAMES)
