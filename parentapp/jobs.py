"""Scheduled work: module-level job functions and the one registry of them.

Each job takes ``now`` (aware UTC), does its work through services, and
returns a one-line summary for the log. Jobs never commit: the services they
call own their transactions. To add a job, write its function here (a few lines
calling a service) and add it to ``JOBS``. ``flask --app parentapp jobs run
NAME`` runs one now; the scheduler process runs them on
their triggers. Jobs must be safe to run twice at once (row claims and unique
keys make them so), since a second scheduler process must be harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from parentapp import service_settings
from parentapp.services.alerts import certificates
from parentapp.services.benefits import childcare_subsidy, subsidy_reminders
from parentapp.services.booking import waitlist_offers
from parentapp.services.common import idempotency
from parentapp.services.places import allocation, expiry
from parentapp.services.reminders import dispatch, event_planning, health_planning, retention

Job = Callable[[datetime], str]


def plan_reminders(now: datetime) -> str:
    """Vaccine, checkup, booking and class reminders that came into the horizon."""
    health = health_planning.plan_health_reminders(
        now, schedule=service_settings.health_schedule())
    events = event_planning.plan_event_reminders(now)
    return (f"{health['children']} children planned, {health['created']} health reminders "
            f"created, {health['updated']} updated, {health['withdrawn'] + events['withdrawn']} "
            f"withdrawn; {events['bookings']} booking and {events['classes']} class reminders "
            "created")


def plan_subsidy_reminders(now: datetime) -> str:
    """The yearly in-app reminder to apply for the childcare subsidy, once its day came."""
    counts = subsidy_reminders.plan_subsidy_reminders(
        now, remind_on=service_settings.subsidy_reminder_date(),
        rule=childcare_subsidy.subsidy_rule())
    return (f"{counts['children']} children eligible this year, "
            f"{counts['created']} subsidy reminders created")


def dispatch_notifications(now: datetime) -> str:
    """Send due WeChat messages (claims make concurrent dispatchers safe)."""
    counts = dispatch.dispatch_notifications(now, config=service_settings.dispatch_config())
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "nothing due"


def expire_waitlist_offers(now: datetime) -> str:
    """Waitlist offers past their deadline expire; their places go to the next family."""
    expired, offered = waitlist_offers.expire_due_offers(now,
                                                         offer_minutes=service_settings.offer_minutes())
    return f"expired {expired} offers, made {offered} new offers"


def purge_idempotency_keys(now: datetime) -> str:
    """Forget booking answers older than the 24 hours they are replayed for."""
    return f"{idempotency.purge_expired(now)} idempotency keys purged"


def purge_notifications(now: datetime) -> str:
    """Delete inbox and delivery rows older than a year."""
    return f"{retention.purge_old_notifications(now)} notifications purged"


def staff_certificates(now: datetime) -> str:
    """Alerts for staff certificates expiring within 30 days or expired (once each)."""
    counts = certificates.open_certificate_alerts(now)
    return (f"{counts['certificates']} certificates expiring or expired, "
            f"{counts['opened']} alerts opened")


def allocate_places(now: datetime) -> str:
    """Each month whose rounds have all closed: the match, offers, places back on sale."""
    done = [allocation.allocate_month(month, now, offer_minutes=service_settings.offer_minutes())
            for month in allocation.months_ready(now)]
    done = [d for d in done if d["rounds"]]
    return "; ".join(f"{d['month']}: {d['rounds']} rounds, {d['offered']} offered, "
                     f"{d['unplaced']} unplaced" for d in done) or "no month to allocate"


def expire_place_offers(now: datetime) -> str:
    """Offers expiring soon are reminded of, expired ones pass on, past months end."""
    counts = expiry.run_offer_clock(now, offer_minutes=service_settings.offer_minutes())
    return (f"{counts['reminded']} reminded, {counts['expired']} expired, "
            f"{counts['rounds_ended']} rounds ended")


JOBS: dict[str, Job] = {
    "allocate-places": allocate_places,
    "expire-place-offers": expire_place_offers,
    "plan-reminders": plan_reminders,
    "plan-subsidy-reminders": plan_subsidy_reminders,
    "dispatch-notifications": dispatch_notifications,
    "expire-waitlist-offers": expire_waitlist_offers,
    "purge-idempotency-keys": purge_idempotency_keys,
    "purge-notifications": purge_notifications,
    "staff-certificates": staff_certificates,
}


def run_job(name: str, now: datetime) -> str:
    """Run the job ``name`` once; raises KeyError for an unknown name."""
    return JOBS[name](now)
