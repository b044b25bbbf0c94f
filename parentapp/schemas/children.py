from marshmallow import ValidationError

from parentapp.domain import CarerRole, Gender, HbsagMother, VaccineChoice
from parentapp.models import utcnow
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length, one_of, value_range
from parentapp.timeutil import age_months, local_today, years_before

CHOICE = one_of(VaccineChoice.values())
GENDER = one_of(Gender.values())
HBSAG = one_of(HbsagMother.values())
BIRTH_WEIGHT = value_range(min=300, max=7000)


def validate_birth_date(value) -> None:
    today = local_today(utcnow())
    if value > today:
        raise ValidationError("出生日期不能晚于今天。")
    if value < years_before(today, 6):
        raise ValidationError("出生日期不能早于 6 年前。")


class VaccineChoicesSchema(BaseSchema):
    je = fields.String(validate=CHOICE)
    hepa = fields.String(validate=CHOICE)


class ChildSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.Text(required=True, validate=length(1, 20))
    birth_date = fields.Date(required=True, validate=validate_birth_date)
    gender = fields.String(required=True, validate=GENDER)
    age_months = fields.Method("_age_months", dump_only=True)
    vaccine_choices = fields.Nested(VaccineChoicesSchema)
    hbsag_mother = fields.String(allow_none=True, validate=HBSAG, metadata={
        "description": "the mother's HBsAg: negative, positive or unknown (null: not given)"})
    birth_weight_g = fields.Integer(allow_none=True, validate=BIRTH_WEIGHT)
    my_role = fields.String(dump_only=True, metadata={
        "enum": list(CarerRole.values()),
        "description": "The caller's role for this child: guardian, carer or viewer."})

    def _age_months(self, child) -> int:
        return age_months(child.birth_date, local_today(utcnow()))


class ChildUpdateSchema(BaseSchema):
    name = fields.Text(validate=length(1, 20))
    birth_date = fields.Date(validate=validate_birth_date)
    gender = fields.String(validate=GENDER)
    vaccine_choices = fields.Nested(VaccineChoicesSchema)
    hbsag_mother = fields.String(allow_none=True, validate=HBSAG)
    birth_weight_g = fields.Integer(allow_none=True, validate=BIRTH_WEIGHT)
