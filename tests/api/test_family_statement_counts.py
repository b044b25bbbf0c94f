"""The listings of a person's children send a fixed number of SQL statements whatever the
number of children and of people per child (counted at the cursor, the request's whole
work: token check included).

Each child has one booking, one waitlist entry and one class seat, each made by the
child's last person (so ``booked_by`` names someone other than the caller). Run with
``-s`` to see the counts (the closing note quotes them).
"""

from __future__ import annotations

import pytest

from parentapp.extensions import db
from parentapp.models import WaitlistEntry, utcnow
from tests.booking_factories import book, in_days, make_slot, setup_nursery
from tests.factories import bearer, make_child, make_class, make_enrollment, make_user
from tests.family_factories import add_person
from tests.sqlcount import count_statements

LISTINGS = ("/api/v1/children", "/api/v1/bookings", "/api/v1/me/waitlist",
            "/api/v1/me/enrollments")
SHAPES = [(1, 1), (1, 6), (10, 1), (10, 6)]  # (children, people per child)
MOST = 8


@pytest.fixture
def places():
    nursery, _ = setup_nursery()
    open_slot = make_slot(nursery, day=in_days(3), capacity=40)
    full = make_slot(nursery, day=in_days(4), capacity=1)
    book(make_user("parent"), [full])
    return open_slot, full, make_class(capacity=40)


def family_of(children: int, people: int, places) -> dict:
    """A caller who is guardian of ``children`` children, each with ``people`` people."""
    open_slot, full, parenting_class = places
    caller = make_user("parent", nickname="妈妈")
    for _ in range(children):
        child = make_child(caller)
        others = [make_user("parent", nickname="奶奶") for _ in range(people - 1)]
        for n, person in enumerate(others):
            add_person(child, person, "carer" if n % 2 == 0 else "viewer", "grandparent")
        acting = ([caller] + [p for n, p in enumerate(others) if n % 2 == 0])[-1]
        book(acting, [open_slot], child=child)
        db.session.add(WaitlistEntry(slot_id=full.id, parent_id=acting.id, child_id=child.id,
                                     created_at=utcnow()))
        db.session.commit()
        make_enrollment(parenting_class, acting, child_id=child.id)
    return bearer(caller)


def test_listings_cost_the_same_whatever_the_number_of_children_and_people(client, places):
    counts: dict[str, list[int]] = {path: [] for path in LISTINGS}
    for children, people in SHAPES:
        headers = family_of(children, people, places)
        for path in LISTINGS:
            with count_statements() as statements:
                response = client.get(path, headers=headers)
            assert response.status_code == 200
            items = response.get_json()["items"]
            assert len(items) == children, path
            if path != "/api/v1/children":
                assert all(item["booked_by"]["nickname"] for item in items)
            counts[path].append(len(statements))
    print("\nstatements per listing for (children, people per child) " + str(SHAPES))
    for path, found in counts.items():
        print(f"  GET {path.removeprefix('/api/v1')}: {found}")
    for path, found in counts.items():
        assert len(set(found)) == 1 and found[0] <= MOST, (path, found)
