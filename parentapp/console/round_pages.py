"""A nursery's rounds of monthly places (入托申请), for its operator: the list, opening one,
and one round's applicants with their priority, draw, line position and result.

The form loads through the API's ``RoundCreateSchema`` and calls ``rounds.open_round``,
so the rules (one round a month, places held out of every full-day slot) are the API's.
The closing time is typed as Asia/Shanghai wall time and sent with its +08:00 offset.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, local_time_value, submit
from parentapp.console.session_auth import signed_in
from parentapp.domain import CareType
from parentapp.models import utcnow
from parentapp.schemas.places import MAX_ROUND_PLACES, RoundCreateSchema
from parentapp.services.nurseries import operator_nurseries
from parentapp.services.places import rounds
from parentapp.services.stats.townships import list_townships
from parentapp.timeutil import next_month

RULE_NAMES = {"township": "乡镇优先", "siblings": "同胞优先"}
# The form's choices of ``priority_rules``, in the order offered (the first is the default).
PRIORITY_CHOICES = (
    ("township,siblings", "乡镇优先→同胞优先"),
    ("siblings,township", "同胞优先→乡镇优先"),
    ("township", "仅乡镇"),
    ("siblings", "仅同胞"),
    ("none", "不设优先（仅抽签）"),
)
STATUS_NAMES = {"open": "接受申请中", "closed": "已截止，待分配", "allocated": "已分配",
                "ended": "已结束"}
RESULT_NAMES = {"submitted": "已提交", "offered": "已录取待确认", "accepted": "已入托",
                "declined": "已放弃", "expired": "已过期", "unplaced": "未分到",
                "elsewhere": "已去其他机构"}
DRAW_SHOWN = 8  # the draw's first hex digits: enough to tell two applicants apart


@bp.route("/nurseries/<int:nursery_id>/rounds", methods=["GET", "POST"])
@signed_in("operator")
def round_list(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    if request.method == "GET":
        return _list_page(nursery, _defaults(), {})
    place_round, errors = submit(lambda **data: rounds.open_round(
        g.console_user.id, nursery.id, now=utcnow(), **data), RoundCreateSchema(),
        round_form(request.form))
    if errors:
        return _list_page(nursery, request.form, errors), 422
    flash(f"已发起 {place_round.month} 的入托申请：该月每个全日托时段留出 "
          f"{place_round.places} 个名额，截止时间前家长可以申请。", "success")
    return redirect(url_for("console.round_list", nursery_id=nursery.id))


@bp.route("/nurseries/<int:nursery_id>/rounds/<int:round_id>")
@signed_in("operator")
def round_detail(nursery_id, round_id):
    place_round = rounds.owned_round(g.console_user.id, nursery_id, round_id)
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    return render_template("console/round_detail.html", nursery=nursery, round=place_round,
                           applicants=rounds.round_applicants(place_round),
                           status=place_round.status_at(utcnow()), statuses=STATUS_NAMES,
                           results=RESULT_NAMES, rules_text=rules_text,
                           township_names=_township_names(), draw_shown=DRAW_SHOWN)


def round_form(form) -> dict:
    """The typed form as the schema takes it: places as a number, the closing time with
    its offset, the chosen priority order as a list (``none``: no priority, the draw only)."""
    places = form.get("places", "").strip()
    closes_at = form.get("closes_at", "").strip()
    choice = form.get("priority_rules", PRIORITY_CHOICES[0][0]).strip()
    return {"month": form.get("month", "").strip(), "care_type": CareType.FULL_DAY,
            "places": _number(places),
            "closes_at": local_time_value(closes_at) if closes_at else None,
            "priority_rules": [] if choice == "none" else choice.split(",")}


def _number(raw: str):
    try:
        return int(raw)
    except ValueError:
        return raw or None  # the schema answers: required, or not a number


def rules_text(rules: list[str]) -> str:
    if not rules:
        return "不设优先（仅抽签）"
    return "→".join(RULE_NAMES.get(rule, rule) for rule in rules)


def _defaults() -> dict:
    """Next month, the default priority order: the usual round, typed less."""
    return {"month": next_month(utcnow()), "priority_rules": PRIORITY_CHOICES[0][0]}


def _township_names() -> dict[str, str]:
    return {t.code: t.name for t in list_townships()}


def _list_page(nursery, typed, errors: Errors):
    now = utcnow()
    listed = rounds.list_rounds(g.console_user.id, nursery.id)
    return render_template("console/rounds.html", nursery=nursery, now=now,
                           rounds=[(r, r.status_at(now)) for r in listed],
                           statuses=STATUS_NAMES, rules_text=rules_text, values=typed,
                           errors=errors, priority_choices=PRIORITY_CHOICES,
                           max_places=MAX_ROUND_PLACES)
