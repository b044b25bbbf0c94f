"""Every blueprint, registered on the one flask-smorest Api."""

from parentapp.api import (
    admin_audit,
    admin_filings,
    admin_notifications,
    admin_stats,
    admission,
    auth,
    benefits,
    bookings,
    carers,
    children,
    classes,
    health,
    me,
    meta,
    notifications,
    nurseries,
    offerings,
    operator_nurseries,
    operator_slots,
    organizer_classes,
    pickup,
    roster,
    slots,
    subscriptions,
    waitlist,
)

BLUEPRINTS = [
    meta.health_blp,
    meta.blp,
    auth.blp,
    me.blp,
    notifications.blp,
    subscriptions.blp,
    children.blp,
    carers.blp,
    pickup.blp,
    nurseries.blp,
    operator_nurseries.blp,
    admin_filings.blp,
    admin_notifications.blp,
    admin_stats.blp,
    admin_audit.blp,
    admission.blp,
    health.blp,
    benefits.blp,
    classes.blp,
    organizer_classes.blp,
    offerings.blp,
    slots.blp,
    operator_slots.blp,
    bookings.blp,
    waitlist.blp,
    roster.blp,
]


def register_blueprints(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
