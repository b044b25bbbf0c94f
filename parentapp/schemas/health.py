"""A child's health plan and recorded doses (and the plan's hand-built JSON)."""

from __future__ import annotations

from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length


class CatchUpSchema(BaseSchema):
    rule = fields.String(required=True, metadata={
        "description": "not_given_after (no longer given at this age) | replaced_after "
                       "(`by` is given instead) | ask_clinic_after (a doctor decides how) | "
                       "window_ends (a checkup that can no longer be done)"})
    message = fields.String(required=True, metadata={"description": "what to do, in Chinese"})
    by = fields.String(allow_none=True, metadata={"description": "the replacing dose's code"})


class AdviceSchema(BaseSchema):
    rule = fields.String(required=True, metadata={"description": "the special-group rule's id"})
    message = fields.String(required=True)
    ask_clinic = fields.Boolean(required=True, metadata={
        "description": "a doctor must decide: the plan says ask your clinic"})


class PlanItemSchema(BaseSchema):
    code = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "vaccine | checkup"})
    name = fields.String(required=True)
    due_date = fields.Date(required=True)
    latest_date = fields.Date(allow_none=True, metadata={
        "description": "the last day the dose is on time: the day before an N-month (N-year) "
                       "latest age, HepB-1 the day after birth (the day of birth for a mother "
                       "HBsAg positive or unknown); null for checkups"})
    earliest_date = fields.Date(required=True, metadata={
        "description": "the first day the dose may be given given what is recorded: due age, "
                       "the series' minimum intervals, 28 days after an injectable live "
                       "vaccine given on another day. Status bands count from it. Checkups: "
                       "the due date"})
    status = fields.String(required=True,
                           metadata={"description": "done | upcoming | due | overdue"})
    past_latest = fields.Boolean(required=True)
    done_on = fields.Date(allow_none=True)
    product = fields.String(allow_none=True, metadata={
        "description": "the product code the dose was recorded by (GET /meta vaccine_products)"})
    catch_up = fields.Nested(CatchUpSchema, allow_none=True, metadata={
        "description": "the 2021 edition's catch-up rule for an undone item at the child's "
                       "age; null when none applies"})
    advice = fields.List(fields.Nested(AdviceSchema), required=True, metadata={
        "description": "special-group advice (mother's HBsAg, birth weight)"})


class HealthPlanSchema(BaseSchema):
    schedule_version = fields.String(required=True)
    items = fields.List(fields.Nested(PlanItemSchema), required=True)


def _iso(day):
    return None if day is None else day.isoformat()


def plan_item(item) -> dict:
    """What ``PlanItemSchema`` dumps for a ``plan.PlanItem``, built directly: a plan has
    some forty items with nested advice and the schema's dump was a fifth of the answer's
    time. Same keys, order and values; the schema stays the documented answer
    (tests/api/test_health_plan_fast.py holds them equal).
    """
    catch_up = item.catch_up
    return {"code": item.code, "kind": item.kind, "name": item.name,
            "due_date": item.due_date.isoformat(), "latest_date": _iso(item.latest_date),
            "earliest_date": item.earliest_date.isoformat(), "status": item.status,
            "past_latest": item.past_latest, "done_on": _iso(item.done_on),
            "product": item.product,
            "catch_up": None if catch_up is None else {
                "rule": catch_up.rule, "message": catch_up.message, "by": catch_up.by},
            "advice": [{"rule": a.rule, "message": a.message, "ask_clinic": a.ask_clinic}
                       for a in item.advice]}


class HealthRecordSchema(BaseSchema):
    code = fields.String(validate=length(1, 24), metadata={
        "description": "the dose or checkup; give this or product"})
    product = fields.String(validate=length(1, 24), metadata={
        "description": "a vaccine product of GET /meta vaccine_products: counts as the next "
                       "undone dose of each series it covers"})
    done_on = fields.Date(required=True)


class RecordedSchema(BaseSchema):
    code = fields.String(required=True, metadata={"description": "the first code recorded"})
    codes = fields.List(fields.String(), required=True, metadata={
        "description": "every dose this record counted as (one, or one per series of a "
                       "product)"})
    product = fields.String(allow_none=True)
    done_on = fields.Date(required=True)
