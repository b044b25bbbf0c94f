"""The regulator's filing queue, decisions and audit trail."""

from __future__ import annotations

from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, PageQuerySchema, length, one_of
from parentapp.schemas.fields import LocalDateTime
from parentapp.schemas.nurseries import validate_filing_no, validate_township
from parentapp.schemas.operator_nurseries import FilingEventSchema, OperatorNurserySchema
from parentapp.services.nurseries.filings import REVIEWABLE


class FilingQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(REVIEWABLE),
                           metadata={"description": "without it: every filing but drafts"})
    township = fields.String(validate=validate_township)


class FilingItemSchema(BaseSchema):
    nursery_id = fields.Integer(attribute="id", required=True)
    name = fields.String(required=True)
    status = fields.String(attribute="filing_status", required=True)
    submitted_at = LocalDateTime(allow_none=True)
    township = fields.String(required=True)
    kind = fields.String(required=True)
    inclusive = fields.Boolean(required=True)
    registration_type = fields.String(required=True)
    credit_code = fields.String(required=True)
    licensed_places = fields.Integer(required=True)
    operator_id = fields.Integer(required=True)
    filing_no = fields.String(allow_none=True)
    filed_on = fields.Date(allow_none=True)


class FilingOperatorSchema(BaseSchema):
    id = fields.Integer(required=True)
    username = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class FilingDetailSchema(BaseSchema):
    """A filing with everything the regulator reviews, and its audit trail."""

    nursery_id = fields.Integer(required=True)
    status = fields.String(attribute="nursery.filing_status", required=True)
    submitted_at = LocalDateTime(attribute="nursery.submitted_at", allow_none=True)
    filing_no = fields.String(attribute="nursery.filing_no", allow_none=True)
    filed_on = fields.Date(attribute="nursery.filed_on", allow_none=True)
    nursery = fields.Nested(OperatorNurserySchema, required=True)
    operator = fields.Nested(FilingOperatorSchema, required=True)
    events = fields.List(fields.Nested(FilingEventSchema), required=True,
                         metadata={"description": "every transition, oldest first"})


class ApproveFilingSchema(BaseSchema):
    filing_no = fields.Text(required=True, validate=validate_filing_no)


class FilingReasonSchema(BaseSchema):
    reason = fields.Text(required=True, multiline=True, validate=length(2, 500))
