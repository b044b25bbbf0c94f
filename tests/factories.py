
"""Plain functions that put rows in the database, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from parentapp import service_settings
from parentapp.extensions import db
from parentapp.models import Child, Nursery, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.accounts import tokens
from parentapp.timeutil import add_months, local_today

_counter = itertools.count(1)


def make_user(role: str = "parent", **overrides) -> User:
    n = next(_counter)
    fields = {"role": role, "created_at": utcnow()}
    if role == "parent":
        fields["wechat_openid"] = f"openid-{n}"
    else:
        fields["username"] = f"{role}-{n}"
        fields["name"] = f"{role} {n}"
    fields.update(overrides)
    user = User(**fields)
    db.session.add(user)
    db.session.commit()
    return user


CHILD_AGE_MONTHS = 18  # the default child's age on the test's clock


def make_child(parent: User, now: datetime | None = None, **overrides) -> Child:
    """A child of ``parent``, 18 months old on ``now`` (the wall clock if None) by default."""
    now = now or utcnow()
    fields = {"name": "小明", "birth_date": add_months(local_today(now), -CHILD_AGE_MONTHS),
              "gender": "male", "created_at": now}
    fields.update(overrides)
    child = guarded_by(parent, Child(**fields))
    db.session.add(child)
    db.session.commit()
    return child


def bearer(user: User) -> dict[str, str]:
    raw = tokens.issue_token(user, utcnow(), policy=service_settings.token_policy())
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


class AuthHelper:
    """``user, headers = auth.parent()``: a new account of that role with a live token."""

    def parent(self, **overrides) -> tuple[User, dict]:
        user = make_user("parent", **overrides)
        return user, bearer(user)

    def operator(self, **overrides) -> tuple[User, dict]:
        user = make_user("operator", **overrides)
        return user, bearer(user)

    def regulator(self, **overrides) -> tuple[User, dict]:
        user = make_user("regulator", **overrides)
        return user, bearer(user)


def make_nursery(operator: User | None = None, **overrides) -> Nursery:
    """An approved (filed) nursery with valid fields, owned by ``operator`` (a new one if None)."""
    from parentapp.services.nurseries.credit_code import with_check

    if operator is None:
        operator = make_user("operator")
    n = next(_counter)
    fields = {
        "operator_id": operator.id, "name": f"南宾托育中心{n}号",
        "address": f"南宾街道万寿大道{n}号",
        "township": "500240001", "lat": 29.999, "lng": 108.114, "phone": "13800000000",
        "kind": "nursery", "inclusive": False, "licensed_places": 60,
        "opening_hours": {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"],
                          "pm": ["14:00", "17:30"]},
        "registration_type": "for_profit", "credit_code": with_check(f"91500240{n:09d}"),
        "description": "", "open_to_public": True, "filing_status": "approved",
        "filing_no": f"石卫托备{n:05d}", "filed_on": date(2025, 1, 6),
        "submitted_at": utcnow(), "created_at": utcnow(),
    }
    fields.update(overrides)
    nursery = Nursery(**fields)
    db.session.add(nursery)
    db.session.commit()
    return nursery


def make_class(organizer: User | None = None, **overrides):
    """A scheduled parenting class a week from now (09:00-11:00 local), 10 seats,
    enrolment open until the day before; organised by a new regulator by default."""
    from datetime import time, timedelta

    from parentapp.models import ParentingClass
    from parentapp.timeutil import local_instant, local_today

    if organizer is None:
        organizer = make_user("regulator")
    day = local_today(utcnow()) + timedelta(days=7)
    starts = local_instant(day, time(9))
    fields = {
        "organizer_id": organizer.id, "title": "科学喂养家长课堂", "kind": "parent_class",
        "township": "500240001", "venue": "南宾街道社区卫生服务中心", "lat": 29.999,
        "lng": 108.114, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
        "enroll_deadline": starts - timedelta(days=1), "capacity": 10, "description": "",
        "created_at": utcnow(), "updated_at": utcnow(),
    }
    fields.update(overrides)
    cls = ParentingClass(**fields)
    db.session.add(cls)
    db.session.commit()
    return cls


def make_enrollment(cls, family: User | None = None, status: str = "enrolled", **overrides):
    """One family's entry in ``cls`` (a new parent by default), written as given."""
    from parentapp.models import ClassEnrollment

    if family is None:
        family = make_user("parent")
    entry = ClassEnrollment(class_id=cls.id, family_id=family.id, status=status,
                            created_at=utcnow(), **overrides)
    db.session.add(entry)
    db.session.commit()
    return entry
