"""Demo data for local runs: townships, and accounts with documented passwords.

Idempotent: every step looks for what it would create first. The passwords
are for local use only and are printed by ``make run``.
"""

from __future__ import annotations

from collections.abc import Callable

from parentapp.demo import bookings as demo_bookings
from parentapp.demo import classes as demo_classes
from parentapp.demo import family as demo_family
from parentapp.demo import illness as demo_illness
from parentapp.demo import nurseries as demo_nurseries
from parentapp.demo import places as demo_places
from parentapp.demo import staff as demo_staff
from parentapp.extensions import db
from parentapp.models import Child, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.accounts import users
from parentapp.services.stats import townships
from parentapp.timeutil import add_months, local_today

DEMO_OPERATOR = ("demo-operator", "operator-pass-2026")
DEMO_REGULATOR = ("demo-regulator", "regulator-pass-2026")
DEMO_PARENT_OPENID = "fake-openid-demo-parent"


def seed_demo(echo: Callable[[str], None] = print) -> None:
    steps = [("townships", _townships), ("staff accounts", _staff), ("demo parent", _parent),
             ("demo grandparent", demo_family.seed),
             ("nurseries", demo_nurseries.seed), ("offerings and slots", demo_bookings.seed),
             ("parenting classes", demo_classes.seed), ("nursery staff", demo_staff.seed),
             ("illness cluster", demo_illness.seed), ("monthly places", demo_places.seed)]
    for number, (label, step) in enumerate(steps, start=1):
        echo(f"[{number}/{len(steps)}] {label}: {step()}")


def _townships() -> str:
    return f"{townships.ensure_townships()} added"


def _staff() -> str:
    created = 0
    for role, (username, password) in (("operator", DEMO_OPERATOR),
                                       ("regulator", DEMO_REGULATOR)):
        if db.session.scalar(db.select(User.id).where(User.username == username)) is None:
            user = users.create_staff_user(role, username, password, utcnow())
            user.name = "演示机构负责人" if role == "operator" else "县卫生健康委演示账号"
            user.phone = "13800000000" if role == "operator" else None
            db.session.commit()
            created += 1
    return f"{created} created"


def _parent() -> str:
    parent = db.session.scalar(db.select(User).where(User.wechat_openid == DEMO_PARENT_OPENID))
    if parent is not None:
        return "exists"
    now = utcnow()
    today = local_today(now)  # the children are as old on any day the demo is seeded
    parent = User(role="parent", wechat_openid=DEMO_PARENT_OPENID, nickname="演示家长",
                  township="500240001", created_at=now)
    db.session.add_all([
        guarded_by(parent, Child(name="小雨", birth_date=add_months(today, -20),
                                 gender="female", created_at=now)),
        guarded_by(parent, Child(name="小石", birth_date=add_months(today, -34),
                                 gender="male", created_at=now)),
    ])
    db.session.commit()
    return "created with 2 children"
