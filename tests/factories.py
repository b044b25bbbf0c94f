"""Plain functions that put rows in the database, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date

from parentapp.extensions import db
from parentapp.models import Child, User, utcnow
from parentapp.services import tokens

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


def make_child(parent: User, **overrides) -> Child:
    fields = {"name": "小明", "birth_date": date(2025, 6, 1), "gender": "male",
              "parent_id": parent.id, "created_at": utcnow()}
    fields.update(overrides)
    child = Child(**fields)
    db.session.add(child)
    db.session.commit()
    return child


def bearer(user: User) -> dict[str, str]:
    raw = tokens.issue_token(user, utcnow())
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
