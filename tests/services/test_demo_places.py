"""The demo nursery's round of monthly places: opened once, two months ahead, its places
held out of that month's full-day slots."""

from sqlalchemy import select

from parentapp.models import Application, Nursery, PlaceRound, Slot, User
from parentapp.seed import DEMO_OPERATOR, seed_demo
from parentapp.timeutil import month_range
from tests.place_factories import target_month


def test_the_demo_operator_has_a_round_at_the_first_nursery(db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    seed_demo(echo=lines.append)  # idempotent
    assert any(f"monthly places: {target_month()}: 2 places a day held, 4 applications"
               in line for line in lines)
    assert any("monthly places: exists" in line for line in lines)
    [place_round] = db.session.scalars(select(PlaceRound)).all()
    operator = db.session.scalar(select(User).where(User.username == DEMO_OPERATOR[0]))
    first = db.session.scalar(select(Nursery.id).where(Nursery.operator_id == operator.id)
                              .order_by(Nursery.id).limit(1))
    assert place_round.nursery_id == first and place_round.month == target_month()
    held = set(db.session.scalars(select(Slot.round_held).where(
        Slot.nursery_id == first, Slot.care_type == "full_day",
        Slot.date >= month_range(target_month())[0])))
    assert held == {2}
    applied = db.session.execute(select(Application.status, Application.township)).all()
    assert len(applied) == 4 and {status for status, _ in applied} == {"submitted"}
    assert {"500240001", "500240002", "500240104"} <= {township for _, township in applied}
