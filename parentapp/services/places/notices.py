"""What families hear about their application, at every step: submitted, offered, expiring
soon, placed (the month booked), unplaced, expired.

Each goes once to every person of the child with ``reminders`` on (``fanout``), keyed by
application and kind, so a second run or a second scheduler adds nothing; ``tell_each``
tells many families at once (allocation, expiry) in a fixed number of queries. Offers travel
on the WeChat ``booking`` template where a grant allows (``thing1`` nursery, ``time2``
the month's first day, ``phrase3`` status, ``name4`` child, ``thing5`` what to do).
"""

from __future__ import annotations

from datetime import datetime

from mini_program_api.values import fit_value
from parentapp.domain import NotificationKind, TemplateKind
from parentapp.extensions import db
from parentapp.models import Application, Child, Nursery
from parentapp.services.family import fanout
from parentapp.timeutil import LOCAL_TZ, local_instant, month_range

_TITLES = {
    NotificationKind.APPLICATION_SUBMITTED: "入托申请已提交",
    NotificationKind.PLACE_OFFERED: "入托名额已为您保留",
    NotificationKind.PLACE_OFFER_EXPIRING: "入托名额即将过期",
    NotificationKind.PLACE_ACCEPTED: "入托预约成功",
    NotificationKind.APPLICATION_UNPLACED: "入托申请暂未分到名额",
    NotificationKind.PLACE_OFFER_EXPIRED: "入托名额已过期",
}
_STATUS = {NotificationKind.PLACE_OFFERED: "入托录取",
           NotificationKind.PLACE_OFFER_EXPIRING: "即将过期"}


def _when(instant: datetime) -> str:
    local = instant.astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _month(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


_BODIES = {
    NotificationKind.APPLICATION_SUBMITTED:
        "已收到{child}{month}全日托的入托申请，{closes}截止，截止前可以修改或撤回。"
        "截止后按规则统一分配名额，结果会通知您。",
    NotificationKind.PLACE_OFFERED:
        "{nursery}为{child}保留了{month}的全日托名额，请在 {expires} 前确认，"
        "过时名额将让给下一位家庭。",
    NotificationKind.PLACE_OFFER_EXPIRING:
        "{nursery}为{child}保留的{month}全日托名额将在 {expires} 过期，请尽快确认。",
    NotificationKind.PLACE_ACCEPTED: "已为{child}预约{nursery}{month}的全日托，共 {days} 天。",
    NotificationKind.APPLICATION_UNPLACED:
        "很遗憾，{child}{month}全日托的入托申请这次没有分到名额。如有家庭放弃名额，会按顺序通知您。",
    NotificationKind.PLACE_OFFER_EXPIRED:
        "{nursery}为{child}保留的{month}全日托名额已过期，名额已让给下一位家庭。",
}


def _body(kind: str, child: str, month: str, nursery: str | None, facts: dict) -> str:
    instants = {key: _when(facts[name]) if facts.get(name) else ""
                for key, name in (("expires", "expires_at"), ("closes", "closes_at"))}
    return _BODIES[kind].format(child=child, month=month, nursery=nursery or "托育机构",
                                days=facts.get("days", 0), **instants)


def tell(application: Application, child_name: str | None, kind: str, *, now: datetime,
         nursery_name: str | None = None, people: dict[int, list[int]] | None = None,
         **facts) -> None:
    """Add the message of ``kind`` for each of the child's people. Caller commits."""
    child = child_name or "孩子"
    body = _body(kind, child, _month(application.month), nursery_name, facts)
    data = None
    if kind in _STATUS and child_name and nursery_name:
        start = local_instant(month_range(application.month)[0], datetime.min.time())
        data = {"thing1": fit_value("thing1", nursery_name), "time2": fit_value("time2", start),
                "phrase3": fit_value("phrase3", _STATUS[kind]),
                "name4": fit_value("name4", child_name),
                "thing5": fit_value("thing5", f"请在{_when(facts['expires_at'])}前确认")}
    fanout.notify_people(application.child_id, kind, now=now, people=people,
                         dedupe_key=f"application:{application.id}:{kind}",
                         title=_TITLES[kind], body=body,
                         template_kind=TemplateKind.BOOKING if data else None, wechat_data=data,
                         link=f"/pages/applications/detail?id={application.id}",
                         subject=("application", application.id))


def tell_each(applications: list[Application], kind: str, *, now: datetime) -> None:
    """``tell`` each application's family of ``kind`` (offers with their nursery and expiry),
    names and recipients read in one query each whatever the number. Caller commits."""
    if not applications:
        return
    children = dict(db.session.execute(db.select(Child.id, Child.name).where(
        Child.id.in_({a.child_id for a in applications}))).all())
    nursery_ids = {a.nursery_id for a in applications if a.nursery_id is not None}
    nurseries = dict(db.session.execute(db.select(Nursery.id, Nursery.name).where(
        Nursery.id.in_(nursery_ids))).all()) if nursery_ids else {}
    people = fanout.recipients(a.child_id for a in applications)
    for application in applications:
        tell(application, children.get(application.child_id), kind, now=now, people=people,
             nursery_name=nurseries.get(application.nursery_id),
             expires_at=application.offer_expires_at)
