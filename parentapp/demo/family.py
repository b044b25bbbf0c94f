"""The demo family's other people: the grandmother who walks 小雨 to the nursery.

She signs in with her own sandbox login code (``demo-grandma:<anything>``), is a
``carer`` of 小雨 (sees the plan, books, gets the reminders) and is on the
child's pickup list with the mother. Idempotent like every demo step.
"""

from __future__ import annotations

from sqlalchemy import select

from parentapp.domain import CarerRole, Relation
from parentapp.extensions import db
from parentapp.models import Child, ChildPerson, PickupPerson, User, utcnow
from parentapp.services.family.access import children_of

DEMO_PARENT_OPENID = "fake-openid-demo-parent"
DEMO_GRANDPARENT_OPENID = "fake-openid-demo-grandma"  # sandbox code "demo-grandma:1"
PICKUP = [("演示妈妈", Relation.MOTHER, "13800000001"),
          ("演示外婆", Relation.GRANDPARENT, "13800000002")]


def seed() -> str:
    parent = db.session.scalar(select(User).where(User.wechat_openid == DEMO_PARENT_OPENID))
    if parent is None:
        return "no demo parent"
    child = db.session.scalar(select(Child).where(Child.id.in_(children_of(parent.id)))
                              .order_by(Child.birth_date.desc()))
    if child is None:
        return "no demo child"
    grandma = db.session.scalar(select(User).where(User.wechat_openid == DEMO_GRANDPARENT_OPENID))
    if grandma is not None:
        return "exists"
    now = utcnow()
    grandma = User(role="parent", wechat_openid=DEMO_GRANDPARENT_OPENID, nickname="演示外婆",
                   township=parent.township, created_at=now)
    db.session.add(grandma)
    db.session.flush()
    db.session.add(ChildPerson(child_id=child.id, user_id=grandma.id, role=CarerRole.CARER,
                               relation=Relation.GRANDPARENT, reminders=True, since=now))
    if not db.session.scalar(select(PickupPerson.id).where(PickupPerson.child_id == child.id)):
        db.session.add_all(PickupPerson(child_id=child.id, position=n, name=name,
                                        relation=relation, phone=phone)
                           for n, (name, relation, phone) in enumerate(PICKUP, start=1))
    db.session.commit()
    return f"{grandma.nickname} is a carer of {child.name} and on the pickup list"
