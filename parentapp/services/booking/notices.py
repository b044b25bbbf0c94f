"""The in-app messages of booking changes, with WeChat ``booking`` template data.

The template's keys (contract, "WeChat messages"): ``thing1`` nursery,
``time2`` start, ``phrase3`` status, ``name4`` child's name, ``thing5`` note.
Values are fitted to WeChat's rules here; the dispatcher sends them only where
the recipient holds a grant. Each goes to every person of the child with
``reminders`` on, in their own inbox (``fanout``); ``people`` is the batch's
``fanout.recipients`` when the caller tells many at once.
"""

from __future__ import annotations

from datetime import date, datetime

from mini_program_api.values import fit_value
from parentapp.domain import CARE_TYPE_NAMES, NotificationKind, TemplateKind
from parentapp.models import Nursery, Slot, WaitlistEntry
from parentapp.services.family import fanout
from parentapp.timeutil import LOCAL_TZ


def slot_label(slot: Slot) -> str:
    return f"{_md(slot.date)} {slot.start_time:%H:%M}-{slot.end_time:%H:%M}"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _wechat(nursery: Nursery, start: datetime, status: str, child_name: str | None,
            note: str) -> dict[str, str] | None:
    if not child_name:
        return None
    return {"thing1": fit_value("thing1", nursery.name), "time2": fit_value("time2", start),
            "phrase3": fit_value("phrase3", status), "name4": fit_value("name4", child_name),
            "thing5": fit_value("thing5", note)}


def tell_offer(entry: WaitlistEntry, slot: Slot, *, nursery: Nursery, child_name: str | None,
               now: datetime, people: dict[int, list[int]] | None = None) -> None:
    until = entry.offer_expires_at.astimezone(LOCAL_TZ)
    body = (f"{nursery.name} {slot_label(slot)} 的{CARE_TYPE_NAMES[slot.care_type]}有空位了，"
            f"已为{child_name or '孩子'}保留到 {_md(until.date())} {until:%H:%M}，"
            "请在此之前确认预约，过时名额将让给下一位。")
    data = _wechat(nursery, slot.starts_at(), "候补有位", child_name,
                   f"请在{until:%H:%M}前确认")
    fanout.notify_about(entry.child_id, entry.parent_id, NotificationKind.WAITLIST_OFFER,
                        title="候补名额已为您保留", body=body, now=now, people=people,
                        template_kind=TemplateKind.BOOKING if data else None, wechat_data=data,
                        link=f"/pages/waitlist/detail?id={entry.id}",
                        subject=("waitlist", entry.id))


def tell_cancelled_by_nursery(parent_id: int, *, booking_id: int, child_id: int | None,
                              child_name: str | None, nursery: Nursery, slots: list[Slot],
                              reason: str | None, now: datetime,
                              people: dict[int, list[int]] | None = None) -> None:
    """One message per booking and person, naming every slot the nursery cancelled in it
    (a booking whose child is gone: the account that booked)."""
    slots = sorted(slots, key=lambda s: (s.date, s.start_time))
    shown = "、".join(slot_label(s) for s in slots[:5]) + (" 等" if len(slots) > 5 else "")
    why = f"原因：{reason}。" if reason else ""
    body = (f"{nursery.name} 取消了{child_name or '孩子'}的预约：{shown}"
            f"（共 {len(slots)} 个时段）。{why}相应费用已从预约中扣除。")
    data = _wechat(nursery, slots[0].starts_at(), "机构取消", child_name,
                   reason or "机构取消了预约")
    fanout.notify_about(child_id, parent_id, NotificationKind.BOOKING_CANCELLED_BY_NURSERY,
                        title="预约已被机构取消", body=body, now=now, people=people,
                        template_kind=TemplateKind.BOOKING if data else None, wechat_data=data,
                        link=f"/pages/bookings/detail?id={booking_id}",
                        subject=("booking", booking_id))
