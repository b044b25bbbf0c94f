"""The dashboard's 入托需求 block: a month's demand for full-day places by township
(``services.places.demand``, the numbers of ``GET /admin/demand``), the unmet demand
(未分到) first among them.

Self-contained: ``demand_block()`` gives the block's context and
``console/_demand.html`` renders it, so the dashboard view and template each add one
line. The month is ``?demand_month=YYYY-MM`` (default: next month in Asia/Shanghai);
a malformed one is answered inside the block, the rest of the dashboard still shows.
"""

from __future__ import annotations

from flask import request
from marshmallow import ValidationError

from parentapp.console.forms import field_errors
from parentapp.models import utcnow
from parentapp.schemas.places import DemandQuerySchema
from parentapp.services.places import demand
from parentapp.timeutil import next_month

PARAM = "demand_month"


def demand_block() -> dict:
    """``{"month", "typed", "errors", "demand"}``: ``demand`` is None when the month
    asked for is malformed (``errors`` says why, beside the month field)."""
    typed = request.args.get(PARAM, "").strip()
    try:
        month = DemandQuerySchema().load({"month": typed or next_month(utcnow())})["month"]
    except ValidationError as exc:
        return {"month": None, "typed": typed, "demand": None,
                "errors": {PARAM: field_errors(exc.messages)["month"]}}
    return {"month": month, "typed": month, "errors": {}, "demand": demand.demand(month)}
