"""A child's pickup list, written straight to the database (its people: family_factories)."""

from __future__ import annotations

from parentapp.extensions import db
from parentapp.models import Child, PickupPerson

GRANNY = {"name": "王奶奶", "relation": "grandparent", "phone": "13800000001"}
GRANDPA = {"name": "王爷爷", "relation": "grandparent", "phone": "13900000002"}
AUNT = {"name": "李阿姨", "relation": "relative", "phone": "15000000003"}


def set_pickup(child: Child, *people: dict) -> list[PickupPerson]:
    rows = [PickupPerson(child_id=child.id, position=n, **person)
            for n, person in enumerate(people)]
    db.session.add_all(rows)
    db.session.commit()
    return rows
