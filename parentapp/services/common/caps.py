"""Caps of the contract's Limits table: a count held at once (children, future booked
slots, waitlist entries, class places), answered with 409 ``limit_reached``.

Each service counts what it holds under the lock it already takes for the change (the
family's row lock for bookings, waitlists, classes and children), so two requests at
once cannot both pass the count. The limit arrives as a keyword argument named like the
limit, from ``service_settings.limit``; 0 switches a cap off.
"""

from __future__ import annotations

from parentapp.errors import LimitReached


def check_cap(name: str, maximum: int, held: int, adding: int = 1, *,
              message: str | None = None) -> None:
    """Raise LimitReached when ``held + adding`` would pass ``maximum`` (unless 0)."""
    if maximum and held + adding > maximum:
        raise LimitReached(message, details={"limit": name, "max": maximum, "held": held})
