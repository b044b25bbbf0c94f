"""The in-app notices of check-in and check-out, to each of the child's people with
reminders on (inbox only: no WeChat template covers attendance)."""

from __future__ import annotations

from datetime import date, datetime

from parentapp.domain import NotificationKind
from parentapp.models import Booking, Child, Nursery
from parentapp.services.family.fanout import notify_people
from parentapp.timeutil import LOCAL_TZ

_KINDS = {"check_in": NotificationKind.CHECKED_IN, "check_out": NotificationKind.CHECKED_OUT}


def tell_attendance(action: str, booking: Booking, child: Child | None, nursery: Nursery, *,
                    day: date, picked_up_by: str | None, now: datetime) -> None:
    """One notice per person for a check-in or check-out (nothing for a no-show, or once
    the child is deleted). Caller commits, with the attendance change."""
    if action not in _KINDS or child is None:
        return
    at = now.astimezone(LOCAL_TZ)
    # Marked on the day itself, the time; marked later (a forgotten check-out), the date.
    when = f"{day.month}月{day.day}日" + (f" {at:%H:%M}" if at.date() == day else "")
    if action == "check_in":
        title, body = "孩子已入园", f"{child.name}已于 {when} 在{nursery.name}签到入园。"
    else:
        who = f"由{picked_up_by}接走" if picked_up_by else "签退离园"
        title, body = "孩子已离园", f"{child.name}已于 {when} 从{nursery.name}{who}。"
    notify_people(child.id, _KINDS[action], now=now, title=title, body=body,
                  link=f"/pages/bookings/detail?id={booking.id}", subject=("booking", booking.id),
                  dedupe_key=f"{action}:booking{booking.id}:{day.isoformat()}")
