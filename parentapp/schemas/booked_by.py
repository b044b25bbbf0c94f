"""``booked_by``: which of the child's people made a booking, waitlist entry or seat."""

from parentapp.domain import Relation
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema


class BookedBySchema(BaseSchema):
    user_id = fields.Integer(required=True)
    nickname = fields.String(allow_none=True, required=True)
    relation = fields.String(allow_none=True, required=True, metadata={
        "enum": [*Relation.values(), None],
        "description": "their relation to the child; null when none was given or they are "
                       "no longer one of the child's people"})


BOOKED_BY_DOC = {"description": "who of the child's people acted (the account, for a seat "
                                "without a child)"}
