"""Demo nurseries: sixteen across Shizhu's townships, every kind, every filing state;
the last is a filed family care point (家庭托育点) in a rural township.

Owned by ``demo-operator`` (created by the accounts step, which runs first) and a
second operator, ``demo-operator-2``, created here. Every record goes through the
API's own schema, and its filing history through the state machine, so demo rows
look exactly like real ones. Idempotent: a nursery whose credit code exists is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from parentapp import data
from parentapp.extensions import db
from parentapp.models import Nursery, User, utcnow
from parentapp.schemas.nurseries import NurseryCreateSchema
from parentapp.services.accounts import users
from parentapp.services.nurseries import filings
from parentapp.services.nurseries.credit_code import with_check
from parentapp.timeutil import local_today

SECOND_OPERATOR = ("demo-operator-2", "operator2-pass-2026")
STREETS = ("万寿大道", "都督大道", "南宾路", "新开路", "城南路", "滨河路", "建设路")
HOURS = {"day": ["07:30", "18:00"], "am": ["07:30", "11:30"], "pm": ["14:00", "18:00"]}

# name, township code, (north, east) offset in degrees from its centre, kind, inclusive,
# registration type, licensed places, final status, owner (0 demo-operator, 1 the second)
NURSERIES = [
    ("石柱县南宾街道爱心托育中心", "500240001", (0.004, 0.002), "nursery", True, "nonprofit", 80,
     "approved", 0),
    ("石柱县实验幼儿园托班", "500240001", (-0.003, 0.005), "kindergarten_class", True, "nonprofit",
     40, "approved", 1),
    ("万安街道童乐托育园", "500240002", (0.002, -0.003), "nursery", False, "for_profit", 60,
     "approved", 0),
    ("下路街道小太阳托育中心", "500240003", (0.001, 0.004), "nursery", False, "for_profit", 50,
     "approved", 0),
    ("石柱县人民医院职工子女托育点", "500240001", (0.006, -0.004), "employer", False, "nonprofit",
     30, "approved", 0),
    ("西沱古镇幼儿园托班", "500240100", (-0.002, 0.001), "kindergarten_class", True, "nonprofit",
     25, "approved", 1),
    ("黄水镇森林托育园", "500240103", (0.003, 0.003), "nursery", False, "for_profit", 45,
     "approved", 0),
    ("悦崃镇中心幼儿园托班", "500240101", (0.001, -0.002), "kindergarten_class", True, "nonprofit",
     20, "approved", 1),
    ("石柱工业园区职工托育点", "500240102", (-0.004, 0.006), "employer", True, "nonprofit", 40,
     "approved", 0),
    ("临溪镇贝贝托育中心", "500240102", (0.002, 0.001), "nursery", False, "for_profit", 35,
     "approved", 0),
    ("三河镇彩虹托育园", "500240110", (0.001, 0.002), "nursery", False, "for_profit", 30,
     "pending", 0),
    ("南宾街道启航托育中心", "500240001", (-0.006, -0.003), "nursery", False, "for_profit", 60,
     "refiled", 0),
    ("马武镇童心托育园", "500240104", (0.002, -0.001), "nursery", False, "for_profit", 30,
     "draft", 0),
    ("桥头镇小蜜蜂托育点", "500240112", (-0.001, 0.002), "nursery", False, "for_profit", 20,
     "rejected", 0),
    ("沙子镇快乐宝贝托育园", "500240105", (0.002, 0.002), "nursery", False, "for_profit", 25,
     "revoked", 0),
    # New rows go last: a row's number makes its credit code, which makes seeding idempotent.
    ("中益乡华溪村谭家家庭托育点", "500240207", (0.001, -0.001), "family", False, "for_profit", 5,
     "approved", 0),
]
DESCRIPTIONS = {"nursery": "{name}，招收 6 个月至 3 岁婴幼儿，提供全日托、半日托和临时托。",
                "family": "{name}，在自家住宅照护 6 个月至 3 岁婴幼儿，最多 5 名，"
                          "提供全日托和临时托。"}
# The actions that lead to each final state, after creation.
HISTORY = {
    "draft": [], "pending": ["submit"], "approved": ["submit", "approve"],
    "rejected": ["submit", "reject"], "revoked": ["submit", "approve", "revoke"],
    "refiled": ["submit", "approve", "refile"],
}
REASONS = {"reject": "消防验收意见书缺失，请补充后重新提交。",
           "revoke": "经核查该机构已停止办托，撤销备案。",
           "refile": "变更登记信息：地址"}


def seed() -> str:
    owners = [_operator("demo-operator"), _second_operator()]
    regulator = db.session.scalar(db.select(User).where(User.username == "demo-regulator"))
    centres = {t["code"]: (t["lat"], t["lng"]) for t in data.townships()}
    now, created = utcnow(), 0
    for number, row in enumerate(NURSERIES, start=1):
        prefix = "52500240MJ" if row[5] == "nonprofit" else "91500240MA"
        code = with_check(f"{prefix}{number:07d}")
        if db.session.scalar(db.select(Nursery.id).where(Nursery.credit_code == code)):
            continue
        _create(number, row, code, centres, owners, regulator, now)
        created += 1
    db.session.commit()
    return f"{created} created"


def _create(number: int, row: tuple, code: str, centres: dict, owners: list[User],
            regulator: User | None, now: datetime) -> None:
    name, township, (dlat, dlng), kind, inclusive, reg_type, places, final, owner = row
    lat, lng = centres[township]
    fields = NurseryCreateSchema().load({
        "name": name, "address": f"{_township_name(township)}{STREETS[number % 7]}{number * 7}号",
        "township": township, "lat": round(lat + dlat, 6), "lng": round(lng + dlng, 6),
        "phone": f"1390234{number:04d}", "kind": kind, "inclusive": inclusive,
        "licensed_places": places, "opening_hours": HOURS, "registration_type": reg_type,
        "credit_code": code, "open_to_public": kind != "employer" or inclusive,
        "description": DESCRIPTIONS.get(kind, DESCRIPTIONS["nursery"]).format(name=name)})
    operator = owners[owner]
    started = now - timedelta(days=90 - number * 3)
    nursery = Nursery(operator_id=operator.id, filing_status="draft", created_at=started,
                      updated_at=started, **fields)
    db.session.add(nursery)
    db.session.flush()
    filings.record_event(nursery, None, actor_id=operator.id, now=started)
    for step, action in enumerate(HISTORY[final], start=1):
        at = started + timedelta(days=step * 5)
        by_regulator = action in ("approve", "reject", "revoke")
        actor = regulator.id if by_regulator and regulator else operator.id
        if action == "approve":
            nursery.filing_no = f"石卫托备〔{at.year}〕{number:03d}号"
            nursery.filed_on = local_today(at)
        filings.transition(nursery, action, actor_id=actor, now=at, reason=REASONS.get(action))


def _township_name(code: str) -> str:
    return next(t["name"] for t in data.townships() if t["code"] == code)


def _operator(username: str) -> User:
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        raise RuntimeError(f"the accounts step must create {username} first")
    return user


def _second_operator() -> User:
    username, password = SECOND_OPERATOR
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        user = users.create_staff_user("operator", username, password, utcnow())
        user.name, user.phone = "石柱县幼教集团演示账号", "13900000002"
        db.session.commit()
    return user
