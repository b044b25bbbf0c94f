"""A child's people and the invitations to join them (家人共管)."""

from parentapp.domain import CarerRole, Relation
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length, one_of
from parentapp.schemas.fields import LocalDateTime

ROLE = one_of(CarerRole.values())
RELATION = one_of(Relation.values())


class InviteCreateSchema(BaseSchema):
    role = fields.String(required=True, validate=ROLE)
    relation = fields.String(required=True, validate=RELATION)


class InviteSchema(BaseSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={
        "description": "8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ; works once"})
    role = fields.String(required=True, metadata={"enum": list(CarerRole.values())})
    relation = fields.String(required=True, metadata={"enum": list(Relation.values())})
    expires_at = LocalDateTime(required=True, metadata={"description": "48 hours after creation"})
    created_at = LocalDateTime()


class InviteListSchema(BaseSchema):
    items = fields.List(fields.Nested(InviteSchema), required=True)


class InviteAcceptSchema(BaseSchema):
    code = fields.String(required=True, validate=length(1, 64), metadata={
        "description": "matched after upper-casing and removing spaces"})
    reminders = fields.Boolean(metadata={
        "description": "default true for guardians and carers, false for viewers"})


class CarerSchema(BaseSchema):
    user_id = fields.Integer(required=True)
    nickname = fields.String(allow_none=True, required=True)
    relation = fields.String(allow_none=True, required=True,
                             metadata={"enum": list(Relation.values())})
    role = fields.String(required=True, metadata={"enum": list(CarerRole.values())})
    reminders = fields.Boolean(required=True)
    since = LocalDateTime(required=True)


class CarerListSchema(BaseSchema):
    items = fields.List(fields.Nested(CarerSchema), required=True)


class CarerUpdateSchema(BaseSchema):
    role = fields.String(validate=ROLE, metadata={"description": "guardians only"})
    relation = fields.String(validate=RELATION, metadata={"description": "guardians only"})
    reminders = fields.Boolean(metadata={"description": "each person for themself only"})
