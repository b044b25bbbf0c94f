"""A child's pickup list (接送名单): the people a guardian allows to collect the child.

    read the list (guardians and carers, phones in full) -> pickup_list
    replace the list (guardians)                         -> set_pickup_list
    the lists of many children (the roster)              -> pickup_lists
    who may be named at check-out                        -> pickup_name
"""

from __future__ import annotations

from sqlalchemy import delete, select

from parentapp.domain import ChildRight
from parentapp.errors import PickupNotAuthorised
from parentapp.extensions import db
from parentapp.models import PickupPerson
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.family.access import child_for


def pickup_list(user_id: int, child_id: int) -> dict:
    """``{"people": [...]}`` in list order, for the child's guardians and carers.
    Raises NotFound, Forbidden (a viewer)."""
    child_for(user_id, child_id, ChildRight.ACT)
    return {"people": pickup_lists([child_id])[child_id]}


@rolls_back
def set_pickup_list(user_id: int, child_id: int, people: list[dict]) -> dict:
    """Replace the whole list with ``people`` (names already trimmed and distinct), in their
    order. Guardians only; under the child's row lock, so two guardians saving at once
    leave one list or the other, never a mix. Raises NotFound, Forbidden."""
    child_for(user_id, child_id, ChildRight.MANAGE, lock=True)
    db.session.execute(delete(PickupPerson).where(PickupPerson.child_id == child_id))
    rows = [PickupPerson(child_id=child_id, position=position, name=person["name"],
                         relation=person["relation"], phone=person["phone"])
            for position, person in enumerate(people)]
    db.session.add_all(rows)
    commit_keeping_loaded()  # the answer is the rows just written
    return {"people": rows}


def pickup_lists(child_ids) -> dict[int, list[PickupPerson]]:
    """Each child's list in order (an empty list when it has none), in one query."""
    ids = sorted({child_id for child_id in child_ids if child_id is not None})
    found: dict[int, list[PickupPerson]] = {child_id: [] for child_id in ids}
    if ids:
        for person in db.session.scalars(
                select(PickupPerson).where(PickupPerson.child_id.in_(ids))
                .order_by(PickupPerson.child_id, PickupPerson.position)):
            found[person.child_id].append(person)
    return found


def pickup_name(child_id: int | None, given: str | None) -> str | None:
    """The name to record at check-out. With a pickup list, ``given`` (after trimming) must
    be one of its names; without one (or for a deleted child) any name or none will do.
    Raises PickupNotAuthorised (also when no name is given but the child has a list)."""
    name = given.strip() if given else None
    people = pickup_lists([child_id]).get(child_id, []) if child_id is not None else []
    if not people:
        return name or None
    names = [person.name for person in people]
    if name not in names:
        raise PickupNotAuthorised(details={"picked_up_by": name, "pickup_names": names})
    return name
