"""The demo seed gives the demo child a grandparent carer who sees what the mother booked."""

from __future__ import annotations

from sqlalchemy import select

from parentapp.demo.family import DEMO_GRANDPARENT_OPENID
from parentapp.models import ChildPerson, PickupPerson, User
from parentapp.seed import seed_demo
from tests.factories import bearer


def test_the_demo_grandmother_is_a_carer_of_the_booked_child(client, db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    seed_demo(echo=lines.append)  # idempotent: still one grandmother, one link, two pickups
    [grandma] = db.session.scalars(select(User).where(
        User.wechat_openid == DEMO_GRANDPARENT_OPENID))
    [link] = db.session.scalars(select(ChildPerson).where(ChildPerson.user_id == grandma.id))
    assert (link.role, link.relation, link.reminders) == ("carer", "grandparent", True)
    assert len(db.session.scalars(select(PickupPerson).where(
        PickupPerson.child_id == link.child_id)).all()) == 2
    assert any("demo grandparent" in line and "carer" in line for line in lines)

    headers = bearer(grandma)
    [child] = client.get("/api/v1/children", headers=headers).get_json()["items"]
    assert (child["id"], child["name"], child["my_role"]) == (link.child_id, "小雨", "carer")
    [booking] = client.get("/api/v1/bookings", headers=headers).get_json()["items"]
    assert booking["child_id"] == link.child_id
    plan = client.get(f"/api/v1/children/{link.child_id}/health-plan", headers=headers)
    assert plan.status_code == 200 and plan.get_json()["items"]
