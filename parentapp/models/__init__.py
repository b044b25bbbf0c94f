"""Every model module, imported so that metadata and Alembic see all tables."""

from parentapp.models.alert import Absence, Alert, HealthCheck
from parentapp.models.audit import AuditEntry
from parentapp.models.base import UTCDateTime, utcnow
from parentapp.models.booking import Booking, BookingSlot
from parentapp.models.child import Child
from parentapp.models.family import ChildInvite, ChildPerson, PickupPerson
from parentapp.models.health_record import HealthRecord
from parentapp.models.idempotency import IdempotencyKey
from parentapp.models.job_run import JobRun
from parentapp.models.notification import Notification
from parentapp.models.nursery import FilingEvent, Nursery
from parentapp.models.offering import Offering
from parentapp.models.parenting_class import ClassEnrollment, ParentingClass
from parentapp.models.place_round import Application, ApplicationChoice, PlaceRound
from parentapp.models.reminder_plan import ReminderPlan
from parentapp.models.scheduler_lock import SchedulerLock
from parentapp.models.slot import Slot
from parentapp.models.staff import StaffCertificate, StaffDuty, StaffMember
from parentapp.models.subscription import SubscriptionGrant
from parentapp.models.township import Township
from parentapp.models.user import AuthToken, User
from parentapp.models.waitlist import WaitlistEntry
from parentapp.models.wechat_token import WechatAccessToken

__all__ = [
    "Absence",
    "Alert",
    "Application",
    "ApplicationChoice",
    "AuditEntry",
    "AuthToken",
    "Booking",
    "BookingSlot",
    "Child",
    "ChildInvite",
    "ChildPerson",
    "ClassEnrollment",
    "FilingEvent",
    "HealthCheck",
    "HealthRecord",
    "IdempotencyKey",
    "JobRun",
    "Notification",
    "Nursery",
    "Offering",
    "ParentingClass",
    "PickupPerson",
    "PlaceRound",
    "ReminderPlan",
    "SchedulerLock",
    "Slot",
    "StaffCertificate",
    "StaffDuty",
    "StaffMember",
    "SubscriptionGrant",
    "Township",
    "User",
    "UTCDateTime",
    "WaitlistEntry",
    "WechatAccessToken",
    "utcnow",
]
