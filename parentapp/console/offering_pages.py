"""An operator's offerings: one form per care type (price in yuan, ages in months, the
booking terms), each saved whole as the API's PUT (``OfferingPutSchema``,
``offerings.put_offering``): a term left blank takes the care type's default again.

People type prices in 元 (``1200.50``); the API stores fen. Only the conversion is
here: the range is the schema's, named in yuan beside the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from parentapp.console.blueprint import bp
from parentapp.console.forms import Errors, submit
from parentapp.console.session_auth import signed_in
from parentapp.domain import CARE_TYPE_NAMES
from parentapp.errors import ValidationFailed
from parentapp.models import utcnow
from parentapp.schemas.offerings import MAX_PRICE_FEN, OfferingPutSchema
from parentapp.services.nurseries import offerings, operator_nurseries

TERMS = ("age_min_months", "age_max_months", "book_ahead_days", "min_notice_hours",
         "cancel_cutoff_hours")
PRICE_UNITS = {"full_day": "每天", "half_day": "每半天", "hourly": "每小时", "temporary": "每天"}
CENTS = Decimal("0.01")


@bp.route("/nurseries/<int:nursery_id>/offerings", methods=["GET", "POST"])
@signed_in("operator")
def offering_list(nursery_id):
    nursery = operator_nurseries.get_own_nursery(g.console_user.id, nursery_id)
    if request.method == "GET":
        return _page(nursery, None, {}, {})
    care_type = request.form.get("care_type", "")
    if care_type not in CARE_TYPE_NAMES:
        return _page(nursery, None, {}, {}), 404
    result, errors = submit(lambda: _put(nursery.id, care_type, request.form))
    if errors:
        return _page(nursery, care_type, request.form, errors), 422
    flash(f"{CARE_TYPE_NAMES[care_type]}已保存：{yuan(result.price_fen)} 元"
          f"{PRICE_UNITS[care_type]}，{result.age_min_months} 到 {result.age_max_months} 个月。",
          "success")
    return redirect(url_for("console.offering_list", nursery_id=nursery.id))


def _put(nursery_id: int, care_type: str, form):
    values, problems = offering_form_values(form)
    try:
        data = OfferingPutSchema().load(values)
    except ValidationError as exc:
        messages = dict(exc.messages)
        if "price_fen" in messages:  # the only check left is the range: name it in yuan
            messages.pop("price_fen")
            problems.setdefault("price_yuan", [f"应在 0 到 {yuan(MAX_PRICE_FEN)} 元之间。"])
        problems = {**messages, **problems}
    if problems:
        raise ValidationFailed(details=problems)
    return offerings.put_offering(g.console_user.id, nursery_id, care_type, fields=data,
                                  now=utcnow())


def offering_form_values(form) -> tuple[dict, dict]:
    """The typed form as the schema takes it (the price in fen, numbers as numbers; a
    blank term is left out: its default), and a price that is no amount of yuan."""
    values: dict = {}
    problems: dict = {}
    fen = price_fen(form.get("price_yuan", ""))
    if isinstance(fen, int):
        values["price_fen"] = fen
    else:
        problems["price_yuan"] = [fen]
    for name in TERMS:
        raw = form.get(name, "").strip()
        if raw:
            values[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return values, problems


def price_fen(raw: str) -> int | str:
    """``"1200.50"`` yuan as 120050 fen, or why the text is no amount of yuan and fen."""
    text = raw.strip().replace(",", "").replace("，", "")
    if not text:
        return "必填。"
    try:
        amount = Decimal(text)
        whole_fen = amount.is_finite() and amount == amount.quantize(CENTS)
    except InvalidOperation:  # no number, or too many digits to hold in fen
        whole_fen = False
    if not whole_fen:
        return "应为金额（元），最多两位小数，如 1200.50。"
    return int(amount * 100)


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _page(nursery, submitted: str | None, typed, errors: Errors):
    current = {o.care_type: o for o in offerings.own_offerings(g.console_user.id, nursery.id)}
    forms = []
    for care_type, name in CARE_TYPE_NAMES.items():
        offering = current.get(care_type)
        if care_type == submitted:
            values = typed
        elif offering is not None:
            values = {"price_yuan": yuan(offering.price_fen),
                      **{term: getattr(offering, term) for term in TERMS}}
        else:
            values = {"price_yuan": "", **offerings.default_terms(care_type)}
        forms.append({"care_type": care_type, "name": name, "offering": offering,
                      "values": values, "unit": PRICE_UNITS[care_type],
                      "defaults": offerings.default_terms(care_type),
                      "errors": errors if care_type == submitted else {}})
    return render_template("console/offerings.html", nursery=nursery, forms=forms,
                           yuan=yuan)
