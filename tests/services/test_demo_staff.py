"""The demo nursery's staff: seeded once, shown to the demo operator with full phones."""

from sqlalchemy import select

from parentapp.models import StaffMember, User
from parentapp.seed import DEMO_OPERATOR, seed_demo
from tests.factories import bearer


def test_the_demo_operator_has_staff_at_the_first_nursery(client, db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    seed_demo(echo=lines.append)  # idempotent
    assert any("nursery staff: 4 hired" in line for line in lines)
    assert any("nursery staff: 0 hired" in line for line in lines)
    staff = db.session.scalars(select(StaffMember)).all()
    assert len(staff) == 4 and len({s.nursery_id for s in staff}) == 1
    operator = db.session.scalar(select(User).where(User.username == DEMO_OPERATOR[0]))
    listed = client.get(f"/api/v1/operator/nurseries/{staff[0].nursery_id}/staff",
                        headers=bearer(operator)).get_json()["items"]
    assert [p["phone"] for p in listed] == ["13800000011", "13800000012", "13800000013",
                                            "13800000014"]
