"""One family, one nursery, one regulator, each owning a resource of every kind with an id.

The fuzzing (tests/fuzz) sends real ids from here so generated requests reach business
logic; the authorisation matrix (tests/api/test_authorisation_matrix.py) builds two
worlds and sends one world's ids with the other world's tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import (
    Alert,
    Application,
    ApplicationChoice,
    HealthRecord,
    PlaceRound,
    User,
    WaitlistEntry,
    utcnow,
)
from tests.booking_factories import book, in_days, make_offering, make_slot, make_slots
from tests.factories import bearer, make_child, make_class, make_enrollment, make_nursery, make_user
from tests.family_factories import make_invite
from tests.notify_factories import make_notification
from tests.staff_factories import make_staff

TOWNSHIP = "500240001"
RECORDED_CODE = "HepB-1"


@dataclass
class World:
    users: dict[str, User]
    headers: dict[str, dict[str, str]]
    ids: dict[str, int | str] = field(default_factory=dict)


def build_world() -> World:
    parent, operator, regulator = (make_user(role) for role in ("parent", "operator", "regulator"))
    child = make_child(parent)
    nursery = make_nursery(operator)
    for care_type in ("full_day", "hourly"):
        make_offering(nursery, care_type)
    slots = make_slots(nursery, days=3)
    booking = book(parent, [slots[0]], child=child)
    full = make_slot(nursery, day=in_days(6), capacity=1)
    book(make_user("parent"), [full])
    entry = WaitlistEntry(slot_id=full.id, parent_id=parent.id, child_id=child.id,
                          created_at=utcnow())
    db.session.add_all([entry, HealthRecord(child_id=child.id, code=RECORDED_CODE,
                                            done_on=child.birth_date + timedelta(days=1))])
    db.session.commit()
    parenting_class = make_class(operator)  # regulators manage every class; operators their own
    make_enrollment(parenting_class, parent)
    notification = make_notification(parent, now=utcnow())
    invite = make_invite(child)
    staff = make_staff(nursery)
    alert = Alert(kind="ratio_breach", nursery_id=nursery.id, details={},
                  cause_key=f"ratio_breach:{nursery.id}:world", opened_at=utcnow())
    db.session.add(alert)
    place_round, application = _round_and_application(nursery, child)
    db.session.commit()
    users = {"parent": parent, "operator": operator, "regulator": regulator}
    return World(
        users=users,
        headers={role: bearer(user) for role, user in users.items()},
        ids={"child_id": child.id, "nursery_id": nursery.id, "booking_id": booking.id,
             "slot_id": slots[1].id, "full_slot_id": full.id, "entry_id": entry.id,
             "class_id": parenting_class.id, "notification_id": notification.id,
             "care_type": "full_day", "code": RECORDED_CODE, "township": TOWNSHIP,
             "invite_id": invite.id, "user_id": parent.id, "staff_id": staff.id,
             "alert_id": alert.id, "round_id": place_round.id,
             "application_id": application.id})


def _round_and_application(nursery, child) -> tuple[PlaceRound, Application]:
    """An open round of monthly places and the child's application to it (caller commits)."""
    from tests.place_factories import closes, target_month

    month = target_month()
    place_round = PlaceRound(nursery_id=nursery.id, month=month, places=1, held=1,
                             closes_at=closes(month), priority_rules=["township", "siblings"],
                             seed="world", status="open", created_at=utcnow())
    db.session.add(place_round)
    db.session.flush()
    application = Application(child_id=child.id, month=month, status="submitted",
                              created_at=utcnow(), updated_at=utcnow(),
                              choices=[ApplicationChoice(rank=1, round_id=place_round.id,
                                                         nursery_id=nursery.id)])
    db.session.add(application)
    return place_round, application


def path_ids(world: World, path: str, names: list[str]) -> dict[str, int | str]:
    """The world's ids for a path's parameters (``code`` is a township under /admin)."""
    ids = dict(world.ids)
    if "/townships/" in path:
        ids["code"] = TOWNSHIP
    return {name: ids[name] for name in names if name in ids}
