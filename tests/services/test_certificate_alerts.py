"""The staff-certificates job: certificates expiring within 30 days or expired open one
alert each, once; staff who left are not watched."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from parentapp import jobs
from parentapp.extensions import db
from parentapp.models import Alert, Notification, StaffCertificate, utcnow
from parentapp.timeutil import local_instant
from tests.factories import make_nursery, make_user
from tests.sqlcount import count_statements
from tests.staff_factories import make_staff

TODAY = date(2026, 12, 3)
NOW = local_instant(TODAY, time(2, 0))


def certified(nursery, *expiries, health=None, **overrides):
    staff = make_staff(nursery, health_certificate_expires_on=health, **overrides)
    db.session.add_all(StaffCertificate(staff_id=staff.id, kind="保育员证", number=f"B{i}",
                                        expires_on=expires_on)
                       for i, expires_on in enumerate(expiries))
    db.session.commit()
    return staff


def alerts() -> list[tuple[str, dict]]:
    db.session.expire_all()
    return sorted(((a.kind, a.details) for a in db.session.scalars(select(Alert))), key=repr)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(("expires_on", "kind"), [
    (days(-400), "certificate_expired"), (days(-1), "certificate_expired"),
    (days(0), "certificate_expiring"), (days(30), "certificate_expiring"), (days(31), None),
    (None, None)])
def test_a_certificate_opens_the_alert_its_date_calls_for(db, expires_on, kind):
    staff = certified(make_nursery(), expires_on)
    jobs.run_job("staff-certificates", NOW)
    expected = [] if kind is None else [(kind, {
        "staff_id": staff.id, "staff_name": "李老师", "certificate": "保育员证", "number": "B0",
        "expires_on": expires_on.isoformat()})]
    assert alerts() == expected


def test_health_certificates_count_and_staff_who_left_do_not(db):
    nursery = make_nursery()
    staff = certified(nursery, health=days(-2))
    certified(nursery, days(-5), health=days(-5), left_at=utcnow())
    assert jobs.run_job("staff-certificates", NOW) == (
        "1 certificates expiring or expired, 1 alerts opened")
    assert alerts() == [("certificate_expired", {
        "staff_id": staff.id, "staff_name": "李老师", "certificate": "健康证", "number": None,
        "expires_on": days(-2).isoformat()})]


def test_running_again_opens_nothing_and_a_renewed_certificate_is_watched_again(db):
    operator = make_user("operator")
    regulator = make_user("regulator")
    staff = certified(make_nursery(operator), days(10))
    jobs.run_job("staff-certificates", NOW)
    assert jobs.run_job("staff-certificates", NOW + timedelta(hours=6)).endswith(
        "0 alerts opened")
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "alert")).all()
    assert sorted(told) == sorted([operator.id, regulator.id])
    # the certificate runs out: the expired alert opens, once
    jobs.run_job("staff-certificates", local_instant(days(11), time(2)))
    jobs.run_job("staff-certificates", local_instant(days(12), time(2)))
    assert [kind for kind, _ in alerts()] == ["certificate_expired", "certificate_expiring"]
    # renewed with a new date near its end: watched again
    [certificate] = staff.certificates
    certificate.expires_on = days(40)
    db.session.commit()
    jobs.run_job("staff-certificates", local_instant(days(15), time(2)))
    assert len(alerts()) == 3


@pytest.mark.parametrize("people", [1, 20])
def test_the_job_takes_the_same_statements_whatever_the_number_of_certificates(db, people):
    make_user("regulator")
    nursery = make_nursery()
    for _ in range(people):
        certified(nursery, days(-1), days(5), health=days(3))
    with count_statements() as statements:
        jobs.run_job("staff-certificates", NOW)
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 3 * people
    sent = [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    # certificates, alerts in, nurseries, regulators, notifications in
    assert len(sent) == 5, sent
