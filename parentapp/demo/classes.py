"""Demo parenting classes: a season across Shizhu's townships.

Organised by ``demo-regulator`` and, for its own approved nurseries, by
``demo-operator`` (both from the accounts step; the nurseries step runs
first). Some classes were held in the past, with attendance recorded; most
are upcoming, one of them full with a waitlist; one is cancelled. Twelve demo
families (and the demo parent) take part. Dates are relative to the day of
seeding. Idempotent: nothing is added once the demo regulator has classes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from parentapp import data
from parentapp.extensions import db
from parentapp.models import Child, ClassEnrollment, Nursery, ParentingClass, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.schemas.classes import LAT_RANGE, LNG_RANGE
from parentapp.timeutil import LOCAL_TZ, add_months, age_months, local_instant, local_today

FAMILY_OPENID = "fake-openid-class-family-{}"
DEMO_PARENT_OPENID = "fake-openid-demo-parent"
FAMILY_TOWNSHIPS = ("500240001", "500240002", "500240003", "500240100", "500240101",
                    "500240103")

# title, kind, township, days from today, start hour, hours, capacity, age band,
# organiser ("r" regulator, "o" operator at its nursery), families taking part, cancelled
CLASSES = [
    ("新手爸妈母乳喂养课堂", "parent_class", "500240001", -56, 9, 2, 30, (0, 12), "r", 8, False),
    ("亲子绘本阅读活动", "parent_child", "500240100", -35, 15, 2, 20, (12, 36), "r", 6, False),
    ("0-3岁早期发展入户指导日", "home_visit_day", "500240103", -20, 9, 8, 15, None, "r", 5, False),
    ("婴幼儿睡眠与作息讲座", "parent_class", "500240001", -6, 19, 1, 40, None, "o", 7, False),
    ("婴幼儿辅食添加家长课堂", "parent_class", "500240002", 4, 9, 2, 30, (6, 24), "r", 4, False),
    ("亲子音乐律动课", "parent_child", "500240001", 9, 10, 1, 3, (12, 36), "o", 5, False),
    ("儿童意外伤害预防家长课堂", "parent_class", "500240003", 14, 14, 2, 50, None, "r", 3, False),
    ("科学育儿入户指导报名日", "home_visit_day", "500240101", 21, 9, 8, 20, (0, 36), "r", 2,
     False),
    ("亲子户外感统游戏", "parent_child", "500240103", 33, 9, 3, 25, (18, 72), "r", 1, False),
    ("婴幼儿常见病家庭护理", "parent_class", "500240100", 12, 9, 2, 30, None, "r", 3, True),
]
DESCRIPTION = "由县卫生健康委组织的科学育儿指导活动，欢迎家长带孩子参加。"


def seed() -> str:
    regulator = _staff("demo-regulator")
    if regulator is None:
        return "skipped (no demo-regulator)"
    if db.session.scalar(db.select(ParentingClass.id).where(
            ParentingClass.organizer_id == regulator.id).limit(1)) is not None:
        return "exists"
    operator = _staff("demo-operator")
    nursery = None if operator is None else db.session.scalar(
        db.select(Nursery).where(Nursery.operator_id == operator.id,
                                 Nursery.filing_status == "approved").order_by(Nursery.id))
    families = _families()
    now = utcnow()
    made = 0
    for row in CLASSES:
        owner = (operator, nursery) if row[8] == "o" and nursery is not None else (regulator, None)
        cls = _create_class(row, *owner, now)
        _take_part(cls, families[: row[9]], row[10], now)
        made += 1
    db.session.commit()
    return f"{made} classes, {len(families)} families"


def _staff(username: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.username == username))


def _families() -> list[User]:
    """The demo parent first, then twelve demo families, each with one child."""
    today = local_today(utcnow())
    families = []
    demo_parent = db.session.scalar(db.select(User).where(User.wechat_openid == DEMO_PARENT_OPENID))
    if demo_parent is not None:
        families.append(demo_parent)
    for n in range(1, 13):
        openid = FAMILY_OPENID.format(n)
        family = db.session.scalar(db.select(User).where(User.wechat_openid == openid))
        if family is None:
            family = User(role="parent", wechat_openid=openid, nickname=f"演示家庭{n}",
                          township=FAMILY_TOWNSHIPS[n % len(FAMILY_TOWNSHIPS)],
                          created_at=utcnow())
            db.session.add(guarded_by(family, Child(
                name=f"宝宝{n}", birth_date=add_months(today, -(2 + 3 * n)),
                gender="female" if n % 2 else "male", created_at=utcnow())))
        families.append(family)
    db.session.flush()
    return families


def _create_class(row: tuple, organizer: User, nursery: Nursery | None,
                  now: datetime) -> ParentingClass:
    title, kind, township, days, hour, hours, capacity, band, _, _, cancelled = row
    lat, lng = _near(township, days)
    starts = local_instant(local_today(now) + timedelta(days=days), time(hour))
    cls = ParentingClass(
        organizer_id=organizer.id, nursery_id=nursery.id if nursery else None, title=title,
        kind=kind, township=township, venue=_venue(township, kind, nursery), lat=lat, lng=lng,
        starts_at=starts, ends_at=starts + timedelta(hours=hours),
        enroll_deadline=starts - timedelta(days=1), capacity=capacity,
        child_age_min_months=band[0] if band else None,
        child_age_max_months=band[1] if band else None, description=DESCRIPTION,
        cancelled_at=now if cancelled else None,
        cancel_reason="场地临时检修，改期另行通知" if cancelled else None,
        created_at=min(now, starts - timedelta(days=14)), updated_at=now)
    db.session.add(cls)
    db.session.flush()
    return cls


def _take_part(cls: ParentingClass, families: list[User], cancelled: bool,
               now: datetime) -> None:
    """Seats in arrival order, the rest waitlisted; past classes get attendance."""
    held = cls.starts_at <= now
    for order, family in enumerate(families):
        status = "enrolled" if order < cls.capacity else "waitlisted"
        if cancelled:
            status = "cancelled"
        child = family.children[0] if family.children else None
        if child is not None and not _fits(cls, child.birth_date):
            child = None
        db.session.add(ClassEnrollment(
            class_id=cls.id, family_id=family.id, child_id=child.id if child else None,
            status=status, created_at=min(now, cls.enroll_deadline) - timedelta(days=5 - order),
            ended_at=now if cancelled else None,
            # Most families came; every fourth one did not.
            attended_at=cls.starts_at if held and status == "enrolled" and order % 4 != 3
            else None))


def _fits(cls: ParentingClass, birth: date) -> bool:
    day = cls.starts_at.astimezone(LOCAL_TZ).date()
    return birth <= day and cls.accepts_age(age_months(birth, day))


def _near(township: str, salt: int) -> tuple[float, float]:
    centre = next(t for t in data.townships() if t["code"] == township)
    lat = min(max(centre["lat"] + (salt % 5) * 0.001, LAT_RANGE[0]), LAT_RANGE[1])
    lng = min(max(centre["lng"] - (salt % 3) * 0.001, LNG_RANGE[0]), LNG_RANGE[1])
    return round(lat, 6), round(lng, 6)


def _venue(township: str, kind: str, nursery: Nursery | None) -> str:
    if nursery is not None:
        return nursery.name[:60]
    name = next(t["name"] for t in data.townships() if t["code"] == township)
    if kind == "home_visit_day":
        return f"{name}卫生院（报名后入户）"
    return f"{name}社区卫生服务中心多功能厅"
