"""A child's pickup list (接送名单): who may collect the child from the nursery."""

from marshmallow import ValidationError, validate, validates

from parentapp.domain import Relation
from parentapp.schemas import fields
from parentapp.schemas.accounts import PHONE
from parentapp.schemas.base import BaseSchema, length, one_of
from parentapp.services.accounts.users import mask_phone

MAX_PICKUP_PEOPLE = 6
_RELATION = one_of(Relation.values())


class PickupPersonSchema(BaseSchema):
    name = fields.Text(required=True, validate=length(1, 20))
    relation = fields.String(required=True, validate=_RELATION)
    phone = fields.Text(required=True, validate=PHONE, metadata={
        "description": "in full for the child's guardians and carers"})


class PickupListSchema(BaseSchema):
    people = fields.List(fields.Nested(PickupPersonSchema), required=True,
                         validate=validate.Length(
                             max=MAX_PICKUP_PEOPLE, error=f"接送名单最多 {MAX_PICKUP_PEOPLE} 人。"),
                         metadata={
                             "description": "in order; replaces the whole list ([] clears it)"})

    @validates("people")
    def _names_differ(self, people, **_):
        """The operator picks a name at check-out: two people of one name would be one."""
        seen: dict[str, int] = {}
        problems = {}
        for index, person in enumerate(people):
            if "name" not in person:  # refused on its own field already
                continue
            first = seen.setdefault(person["name"], index)
            if first != index:
                problems[index] = {"name": [f"与第 {first + 1} 位重名，请加以区分。"]}
        if problems:
            raise ValidationError(problems)


class MaskedPickupPersonSchema(BaseSchema):
    """As everyone but the child's guardians and carers sees it (the operator's roster)."""

    name = fields.String(required=True)
    relation = fields.String(required=True, metadata={"enum": list(Relation.values())})
    phone = fields.Function(lambda person: mask_phone(person.phone), required=True,
                            metadata={"type": "string", "description": "masked, 138****0000"})
