"""The demo nursery's staff: seeded once, shown to the demo operator with full phones."""

from datetime import timedelta

from sqlalchemy import func, select

from parentapp import jobs
from parentapp.models import Alert, StaffMember, User, utcnow
from parentapp.seed import DEMO_OPERATOR, seed_demo
from parentapp.timeutil import local_today
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


def test_one_demo_health_certificate_runs_out_within_30_days_for_the_daily_job(db):
    seed_demo(echo=lambda _line: None)
    seed_demo(echo=lambda _line: None)  # idempotent: still one person, one date
    now = utcnow()
    assert jobs.run_job("staff-certificates", now) == (
        "1 certificates expiring or expired, 1 alerts opened")
    [alert] = db.session.scalars(select(Alert).where(Alert.kind.like("certificate%")))
    staff = db.session.get(StaffMember, alert.details["staff_id"])
    assert alert.kind == "certificate_expiring" and alert.nursery_id == staff.nursery_id
    assert (staff.name, alert.details["certificate"]) == ("马春梅", "健康证")
    expires_on = staff.health_certificate_expires_on
    assert local_today(now) < expires_on <= local_today(now) + timedelta(days=30)
    assert alert.details["expires_on"] == expires_on.isoformat()
    assert jobs.run_job("staff-certificates", now).endswith("0 alerts opened")
    assert db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.kind.like("certificate%"))) == 1
