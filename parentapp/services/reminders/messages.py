"""The words of reminders: inbox title and body, and WeChat template data.

Pure functions. Template keys follow the contract's "WeChat messages" table;
every value goes through ``fit_value`` so it respects WeChat's per-key limits
and is never empty (the dispatcher fits again before sending).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mini_program_api.values import fit_value
from parentapp.domain import CARE_TYPE_NAMES
from parentapp.timeutil import LOCAL_TZ

_HEALTH_WORDS = {
    "vaccine": {"title": "疫苗接种提醒", "late_title": "疫苗补种提醒", "act": "接种",
                "late": "补种"},
    "checkup": {"title": "儿童健康检查提醒", "late_title": "儿童健康检查逾期提醒", "act": "体检",
                "late": "补做体检"},
}
_THING_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    wechat_data: dict[str, str]
    link: str


@dataclass(frozen=True, slots=True)
class HealthItem:
    code: str
    name: str
    due: date  # the effective date: from this day the item may be done
    stage: str  # "due", "overdue" or "catch_up"
    note: str | None = None  # a catch-up rule's or a doctor's advice


def health_link(child_id: int) -> str:
    return f"/pages/children/health-plan?child_id={child_id}"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _names(items: Sequence[HealthItem]) -> str:
    """All names when they fit a ``thing`` value, else the first and a count."""
    joined = "、".join(item.name for item in items)
    if len(joined) <= _THING_LIMIT or len(items) == 1:
        return joined
    return f"{items[0].name}等{len(items)}项"


def health_message(kind: str, child_id: int, child_name: str,
                   items: Sequence[HealthItem]) -> Message:
    """One message for several items of one kind and child (one grant)."""
    title, body, data = _health_words(kind, child_name, tuple(items))
    return Message(title, body, dict(data), health_link(child_id))


# Planning writes the same few words for many children (same name, same items): memoised.
@functools.lru_cache(maxsize=4096)
def _health_words(kind: str, child_name: str,
                  items: tuple[HealthItem, ...]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    words = _HEALTH_WORDS[kind]
    items = sorted(items, key=lambda item: (item.due, item.code))
    first_due = items[0].due
    late = any(item.stage != "due" for item in items)
    listed = "、".join(f"{item.name}（{_md(item.due)}起可{words['act']}）" for item in items)
    advice = "".join(dict.fromkeys(item.note for item in items if item.note))
    if late:
        title = words["late_title"]
        body = (f"{child_name}有待完成的项目：{listed}。{advice}"
                f"如已完成请在健康档案中记录，未完成请尽快{words['late']}。")
        note = f"请尽快{words['late']}，完成后记录"
    else:
        title = words["title"]
        body = (f"{child_name}的{listed}即将到期，请按时{words['act']}。{advice}"
                "完成后在健康档案中记录。")
        note = f"请按时{words['act']}，完成后记录"
    if advice and "咨询" in advice:
        note = "请先咨询接种门诊"
    data = (("thing1", fit_value("thing1", _names(items))),
            ("date2", fit_value("date2", first_due)),
            ("name3", fit_value("name3", child_name or "孩子")),
            ("thing4", fit_value("thing4", note)))
    return title, body[:500], data


def booking_reminder(booking_id: int, *, nursery_name: str, care_type: str, child_name: str,
                     starts_at: datetime) -> Message:
    local = starts_at.astimezone(LOCAL_TZ)
    care = CARE_TYPE_NAMES.get(care_type, "托育")
    body = (f"{child_name}预约了{nursery_name}的{care}，{_md(local.date())} {local:%H:%M} 开始，"
            "请按时送托。如需取消，请在取消截止时间前操作。")
    data = {"thing1": fit_value("thing1", nursery_name), "time2": fit_value("time2", starts_at),
            "phrase3": fit_value("phrase3", "即将开始"), "name4": fit_value("name4", child_name),
            "thing5": fit_value("thing5", f"{care}，请按时送托")}
    return Message("入托提醒", body, data, f"/pages/bookings/detail?id={booking_id}")


def subsidy_reminder(child_id: int, *, child_name: str, year: int, amount_yuan: int) -> Message:
    """The yearly in-app reminder to apply for the childcare subsidy (no WeChat template)."""
    body = (f"{child_name}可享受{year}年育儿补贴{amount_yuan:,}元（每月300元）。"
            "请由父母或其他监护人通过育儿补贴信息管理系统、支付宝或微信，"
            "或到孩子户籍所在地申请。本程序不会向您索要身份证号。")
    return Message("育儿补贴申请提醒", body[:500], {},
                   f"/pages/children/childcare-subsidy?child_id={child_id}")


def class_reminder(class_id: int, title: str, venue: str, starts_at: datetime) -> Message:
    local = starts_at.astimezone(LOCAL_TZ)
    body = f"您报名的“{title}”将于{_md(local.date())} {local:%H:%M}在{venue}开始，请准时参加。"
    data = {"thing1": fit_value("thing1", title), "time2": fit_value("time2", starts_at),
            "thing3": fit_value("thing3", venue), "thing4": fit_value("thing4", "请准时参加")}
    return Message(f"课程提醒：{title}"[:60], body[:500], data,
                   f"/pages/classes/detail?id={class_id}")
