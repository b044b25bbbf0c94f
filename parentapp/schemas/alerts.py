"""Morning checks, absence reasons, and alerts (operators and regulators)."""

from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from parentapp.domain import AbsenceReason, AlertKind, AlertStatus, CheckResult, Symptom
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, length, one_of, value_range
from parentapp.schemas.bookings import AttendanceSchema
from parentapp.schemas.fields import LocalDateTime

_SYMPTOMS = fields.List(fields.Text(validate=one_of(Symptom.values())), load_default=list,
                        metadata={"description": "each once; [] when none"})


class HealthCheckBodySchema(BaseSchema):
    temperature_c = fields.Float(required=True, validate=value_range(34.0, 43.0))
    symptoms = _SYMPTOMS
    result = fields.Text(required=True, validate=one_of(CheckResult.values()))


class HealthCheckSchema(BaseSchema):
    id = fields.Integer(attribute="check.id", required=True)
    booking_id = fields.Integer(attribute="check.booking_id", required=True)
    child_id = fields.Integer(attribute="check.child_id", allow_none=True, required=True)
    date = fields.Date(attribute="check.day", required=True)
    temperature_c = fields.Float(attribute="check.temperature_c", required=True)
    symptoms = fields.List(fields.Text(), attribute="check.symptoms", required=True)
    result = fields.Text(attribute="check.result", required=True)
    checked_at = LocalDateTime(attribute="check.checked_at", required=True)


class NoShowSchema(AttendanceSchema):
    reason = fields.Text(validate=one_of(AbsenceReason.values()), metadata={
        "description": "why the child did not come; illness may open an illness_cluster alert"})
    symptoms = fields.List(fields.Text(validate=one_of(Symptom.values())),
                           metadata={"description": "with a reason only"})

    @validates_schema
    def _symptoms_need_a_reason(self, data, **kwargs):
        if "symptoms" in data and "reason" not in data:
            raise ValidationError("填写症状时需同时填写缺勤原因。", "symptoms")


class AlertQuerySchema(PageQuerySchema):
    status = fields.Text(validate=one_of(AlertStatus.values()))
    kind = fields.Text(validate=one_of(AlertKind.values()))
    nursery_id = fields.Integer(validate=value_range(min=1))


class AlertSchema(BaseSchema):
    id = fields.Integer(required=True)
    kind = fields.Text(required=True)
    nursery_id = fields.Integer(required=True)
    opened_at = LocalDateTime(required=True)
    details = fields.Dict(required=True)
    status = fields.Text(required=True)


class AlertCloseSchema(BaseSchema):
    note = fields.Text(required=True, validate=length(1, 500))
