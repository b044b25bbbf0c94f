"""The domain's words, once: every stored kind, type, status and state is a StrEnum here.

A member equals its string (``CareType.FULL_DAY == "full_day"``), so services
compare and assign members while the database and the API keep the plain
strings. The models' CHECK constraints are rendered from these enums (see
``parentapp.models.base.sql_in``); the order of the members is the order in
the constraints' text the migrations created, so a new member goes last and
comes with a migration.

Python 3.11 raises TypeError for ``"x" in SomeEnum``: test a raw string
against ``SomeEnum.values()``.
"""

from __future__ import annotations

from enum import StrEnum


class DomainEnum(StrEnum):
    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class Role(DomainEnum):
    PARENT = "parent"
    OPERATOR = "operator"
    REGULATOR = "regulator"


class Gender(DomainEnum):
    MALE = "male"
    FEMALE = "female"


class HbsagMother(DomainEnum):
    """The mother's hepatitis B surface antigen, which sets the newborn's HepB timing."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    UNKNOWN = "unknown"


class VaccineChoice(DomainEnum):
    """Which vaccine a family chose where the schedule offers two (JE, hepatitis A)."""

    LIVE = "live"
    INACTIVATED = "inactivated"


class TownshipKind(DomainEnum):
    SUBDISTRICT = "subdistrict"  # 街道: its targets differ
    TOWN = "town"
    TOWNSHIP = "township"


class NurseryKind(DomainEnum):
    NURSERY = "nursery"
    KINDERGARTEN_CLASS = "kindergarten_class"
    EMPLOYER = "employer"
    FAMILY = "family"  # 家庭托育点: care in a home, a few children (models.nursery)


class RegistrationType(DomainEnum):
    NONPROFIT = "nonprofit"
    FOR_PROFIT = "for_profit"


class FilingStatus(DomainEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class CareType(DomainEnum):
    FULL_DAY = "full_day"
    HALF_DAY = "half_day"
    HOURLY = "hourly"
    TEMPORARY = "temporary"


# What families and operators read for each care type.
CARE_TYPE_NAMES: dict[str, str] = {CareType.FULL_DAY: "全日托", CareType.HALF_DAY: "半日托",
                                   CareType.HOURLY: "计时托", CareType.TEMPORARY: "临时托"}


class SlotStatus(DomainEnum):
    OPEN = "open"
    CLOSED = "closed"


class BookingStatus(DomainEnum):
    """A booking's status, and each of its booking slots' (the same words)."""

    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    CANCELLED_BY_NURSERY = "cancelled_by_nursery"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


# A booking slot in these states occupies a place (a no-show still kept it from others).
ACTIVE_BOOKING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN,
                           BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
CANCELLED_BOOKING_STATUSES = (BookingStatus.CANCELLED, BookingStatus.CANCELLED_BY_NURSERY)


class StaffRole(DomainEnum):
    """What a nursery's staff member does; carers count towards the child-to-carer ratio."""

    CARER = "carer"
    HEALTH = "health"
    DIRECTOR = "director"
    COOK = "cook"
    OTHER = "other"


class WaitlistStatus(DomainEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    LEFT = "left"


# A child holds at most one live entry per slot.
LIVE_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class RoundStatus(DomainEnum):
    """A round of monthly places by application (入托申请). ``open`` takes applications
    until ``closes_at`` (shown as ``closed`` after it); ``allocated`` once the match ran;
    ``ended`` when every place is booked or back on sale."""

    OPEN = "open"
    ALLOCATED = "allocated"
    ENDED = "ended"


class ApplicationStatus(DomainEnum):
    SUBMITTED = "submitted"
    OFFERED = "offered"
    UNPLACED = "unplaced"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


# The priority rules a round may order (``township``: living in the nursery's township;
# ``siblings``: a brother or sister already booked there).
PRIORITY_RULES = ("township", "siblings")


class ClassKind(DomainEnum):
    PARENT_CLASS = "parent_class"
    PARENT_CHILD = "parent_child"
    HOME_VISIT_DAY = "home_visit_day"


class ClassStatus(DomainEnum):
    """Derived from the class's times and cancellation, never stored."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class EnrollmentStatus(DomainEnum):
    """enrolled / waitlisted hold a seat or a place in the queue ("active");
    left: the family withdrew; cancelled: the organiser cancelled the class."""

    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    LEFT = "left"
    CANCELLED = "cancelled"


ACTIVE_ENROLLMENT_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


class HealthItemKind(DomainEnum):
    """A health schedule item; also the kind and the template of its reminders."""

    VACCINE = "vaccine"
    CHECKUP = "checkup"


class TemplateKind(DomainEnum):
    """The WeChat subscription templates a notification may travel on."""

    VACCINE = "vaccine"
    CHECKUP = "checkup"
    BOOKING = "booking"
    CLASS = "class"


class NotificationKind(DomainEnum):
    """What happened, for programs (the inbox shows it as ``kind``)."""

    VACCINE = "vaccine"
    CHECKUP = "checkup"
    BOOKING_REMINDER = "booking_reminder"
    BOOKING_CANCELLED_BY_NURSERY = "booking_cancelled_by_nursery"
    WAITLIST_OFFER = "waitlist_offer"
    CLASS_REMINDER = "class_reminder"
    CLASS_PROMOTED = "class_promoted"
    CLASS_CHANGED = "class_changed"
    CLASS_CANCELLED = "class_cancelled"
    FILING_APPROVED = "filing_approved"
    FILING_REJECTED = "filing_rejected"
    FILING_REVOKED = "filing_revoked"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    CARER_JOINED = "carer_joined"
    CARER_REMOVED = "carer_removed"
    CHILD_DELETED = "child_deleted"
    CHILDCARE_SUBSIDY = "childcare_subsidy"
    ALERT = "alert"
    APPLICATION_SUBMITTED = "application_submitted"
    PLACE_OFFERED = "place_offered"
    PLACE_OFFER_EXPIRING = "place_offer_expiring"
    PLACE_ACCEPTED = "place_accepted"
    APPLICATION_UNPLACED = "application_unplaced"
    PLACE_OFFER_EXPIRED = "place_offer_expired"


class Symptom(DomainEnum):
    """What a morning check or an illness absence notes (晨检, 因病缺勤追查)."""

    FEVER = "fever"
    COUGH = "cough"
    RASH = "rash"
    DIARRHOEA = "diarrhoea"
    VOMITING = "vomiting"
    OTHER = "other"


class CheckResult(DomainEnum):
    OK = "ok"
    SENT_HOME = "sent_home"


class AbsenceReason(DomainEnum):
    ILLNESS = "illness"
    FAMILY = "family"
    UNKNOWN = "unknown"


class AlertKind(DomainEnum):
    ILLNESS_CLUSTER = "illness_cluster"
    RATIO_BREACH = "ratio_breach"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_EXPIRED = "certificate_expired"


class AlertStatus(DomainEnum):
    OPEN = "open"
    CLOSED = "closed"


class CarerRole(DomainEnum):
    """A person's role for one child (家人共管): what they may do is ``ROLE_RIGHTS``."""

    GUARDIAN = "guardian"
    CARER = "carer"
    VIEWER = "viewer"


class ChildRight(DomainEnum):
    """What a request asks of a child: to see it, to act for it, or to manage it."""

    VIEW = "view"      # the child, its plan and records, bookings, waitlist, enrollments
    ACT = "act"        # book, cancel, waitlists, offers, classes, health records
    MANAGE = "manage"  # edit or delete the child, invites, people, roles, pickup list


ROLE_RIGHTS: dict[str, frozenset[str]] = {
    CarerRole.GUARDIAN: frozenset(ChildRight),
    CarerRole.CARER: frozenset({ChildRight.VIEW, ChildRight.ACT}),
    CarerRole.VIEWER: frozenset({ChildRight.VIEW}),
}


class Relation(DomainEnum):
    """How a person (or someone on the pickup list) is related to the child."""

    MOTHER = "mother"
    FATHER = "father"
    GRANDPARENT = "grandparent"
    RELATIVE = "relative"
    OTHER = "other"


RELATION_NAMES: dict[str, str] = {Relation.MOTHER: "妈妈", Relation.FATHER: "爸爸",
                                  Relation.GRANDPARENT: "祖辈", Relation.RELATIVE: "亲属",
                                  Relation.OTHER: "其他"}
ROLE_NAMES: dict[str, str] = {CarerRole.GUARDIAN: "监护人", CarerRole.CARER: "照护人",
                              CarerRole.VIEWER: "查看者"}


class DeliveryState(DomainEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    NO_GRANT = "no_grant"
    FAILED = "failed"
    DEAD = "dead"
    INBOX_ONLY = "inbox_only"
    WITHDRAWN = "withdrawn"


class IdempotencyState(DomainEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TokenKind(DomainEnum):
    """What a stored token opens: the API (a bearer token) or one console session (the
    reference its cookie holds). Neither is accepted in the other's place."""

    API = "api"
    CONSOLE = "console"


class AuditAction(DomainEnum):
    """What an audit entry records. No CHECK constraint: the log must take a new action
    without a migration, and only ``services.common.audit`` writes it."""

    NURSERY_CREATE = "nursery.create"
    NURSERY_UPDATE = "nursery.update"
    FILING_SUBMIT = "filing.submit"
    FILING_APPROVE = "filing.approve"
    FILING_REJECT = "filing.reject"
    FILING_REVOKE = "filing.revoke"
    OFFERING_PUT = "offering.put"
    SLOTS_GENERATE = "slots.generate"
    SLOT_UPDATE = "slot.update"
    SLOTS_BATCH = "slots.batch"
    BOOKING_CHECK_IN = "booking.check_in"
    BOOKING_CHECK_OUT = "booking.check_out"
    BOOKING_NO_SHOW = "booking.no_show"
    BOOKING_HEALTH_CHECK = "booking.health_check"
    ALERT_CLOSE = "alert.close"
    ROUND_OPEN = "round.open"
    CLASS_CREATE = "class.create"
    CLASS_UPDATE = "class.update"
    CLASS_CANCEL = "class.cancel"
    CLASS_ATTENDANCE = "class.attendance"
    TOWNSHIP_POPULATION = "township.population"
    USER_CREATE = "user.create"
    STAFF_HIRE = "staff.hire"
    STAFF_UPDATE = "staff.update"
    STAFF_LEAVE = "staff.leave"
