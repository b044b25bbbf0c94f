"""Staff certificates that run out: the daily ``staff-certificates`` job.

For the active staff of every nursery, each certificate (and each health
certificate, 健康证) that expires within 30 days opens ``certificate_expiring``,
and one whose date has passed opens ``certificate_expired``: once per certificate
and expiry date (``certificate_expiring:{nursery}:{staff}:{certificate}:{expires_on}``),
so a renewed certificate is watched again and running twice opens nothing new. A
certificate is valid through its ``expires_on``. One query finds them all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Integer, String, cast, literal, union_all

from parentapp.domain import AlertKind
from parentapp.extensions import db
from parentapp.models import StaffCertificate, StaffMember
from parentapp.services.alerts.opening import Cause, open_alerts
from parentapp.services.common.transactions import rolls_back
from parentapp.timeutil import local_today

EXPIRING_DAYS = 30
HEALTH_CERTIFICATE = "健康证"


@rolls_back
def open_certificate_alerts(now: datetime) -> dict:
    """Open the alerts of certificates expiring or expired on today's local date; returns
    ``{"certificates": found, "opened": new alerts}``."""
    today = local_today(now)
    found = db.session.execute(_due_certificates(today + timedelta(days=EXPIRING_DAYS))).all()
    opened = open_alerts([_cause(today, *row) for row in found], now)
    db.session.commit()
    return {"certificates": len(found), "opened": len(opened)}


def _due_certificates(until: date):
    active = StaffMember.left_at.is_(None)
    papers = (db.select(StaffMember.nursery_id, StaffMember.id, StaffMember.name,
                        StaffCertificate.id, StaffCertificate.kind, StaffCertificate.number,
                        StaffCertificate.expires_on)
              .join(StaffCertificate, StaffCertificate.staff_id == StaffMember.id)
              .where(active, StaffCertificate.expires_on <= until))
    health = (db.select(StaffMember.nursery_id, StaffMember.id, StaffMember.name,
                        cast(literal(None), Integer), literal(HEALTH_CERTIFICATE, String),
                        cast(literal(None), String), StaffMember.health_certificate_expires_on)
              .where(active, StaffMember.health_certificate_expires_on <= until))
    return union_all(papers, health)


def _cause(today: date, nursery_id: int, staff_id: int, name: str, certificate_id: int | None,
           kind: str, number: str | None, expires_on: date) -> Cause:
    expired = expires_on < today
    alert = AlertKind.CERTIFICATE_EXPIRED if expired else AlertKind.CERTIFICATE_EXPIRING
    which = "health" if certificate_id is None else f"certificate{certificate_id}"
    paper = kind if number is None else f"{kind}（{number}）"
    return Cause(
        kind=alert, nursery_id=nursery_id,
        key=f"{alert}:{nursery_id}:{staff_id}:{which}:{expires_on.isoformat()}",
        details={"staff_id": staff_id, "staff_name": name, "certificate": kind,
                 "number": number, "expires_on": expires_on.isoformat()},
        message=(f"员工{name}的{paper}已于 {expires_on:%Y-%m-%d} 过期，请尽快换证或调整岗位。"
                 if expired else
                 f"员工{name}的{paper}将于 {expires_on:%Y-%m-%d} 到期，请提前办理换证。"))
