"""The regulator's audit log: who changed what, when, with the same filters as the API."""

from __future__ import annotations

import json

from flask import render_template, request
from marshmallow import ValidationError

from parentapp.console.blueprint import bp
from parentapp.console.forms import field_errors, problems_text
from parentapp.console.labels import FIELD_LABELS as FIELD_NAMES
from parentapp.console.labels import label
from parentapp.console.session_auth import signed_in
from parentapp.domain import AuditAction
from parentapp.schemas.audit import AuditQuerySchema
from parentapp.services.common import audit

PER_PAGE = 50
ACTION_NAMES = {
    AuditAction.NURSERY_CREATE: "新建机构", AuditAction.NURSERY_UPDATE: "修改机构信息",
    AuditAction.FILING_SUBMIT: "提交备案", AuditAction.FILING_APPROVE: "通过备案",
    AuditAction.FILING_REJECT: "退回备案", AuditAction.FILING_REVOKE: "撤销备案",
    AuditAction.OFFERING_PUT: "设置托育类型", AuditAction.SLOTS_GENERATE: "生成时段",
    AuditAction.SLOT_UPDATE: "修改时段", AuditAction.SLOTS_BATCH: "批量修改时段",
    AuditAction.BOOKING_CHECK_IN: "签到", AuditAction.BOOKING_CHECK_OUT: "签退",
    AuditAction.BOOKING_NO_SHOW: "标记未到", AuditAction.CLASS_CREATE: "发布课程",
    AuditAction.CLASS_UPDATE: "修改课程", AuditAction.CLASS_CANCEL: "取消课程",
    AuditAction.CLASS_ATTENDANCE: "登记课程出勤", AuditAction.TOWNSHIP_POPULATION: "修改乡镇人口",
    AuditAction.USER_CREATE: "创建账号", AuditAction.BOOKING_HEALTH_CHECK: "晨检",
    AuditAction.ALERT_CLOSE: "关闭预警", AuditAction.STAFF_HIRE: "新增员工",
    AuditAction.STAFF_UPDATE: "修改员工信息", AuditAction.STAFF_LEAVE: "员工离职",
    AuditAction.ROUND_OPEN: "发起入托申请",
}
ROLE_NAMES = {"operator": "机构举办者", "regulator": "卫生健康委"}
SUBJECT_NAMES = {"nursery": "机构", "offering": "托育类型", "slot": "时段", "booking": "预约",
                 "class": "课程", "township": "乡镇", "user": "账号", "alert": "预警",
                 "staff": "员工", "round": "入托申请"}


@bp.route("/audit")
@signed_in("regulator")
def audit_log():
    args = {key: value for key, value in request.args.items() if value.strip()}
    try:
        query = AuditQuerySchema().load(args)
    except ValidationError as exc:
        log, errors = None, field_errors(exc.messages)
        error = "筛选条件有误：" + problems_text(exc.messages)
    else:
        error, errors = None, {}
        log = audit.audit_log(actor_id=query.get("actor"), nursery_id=query.get("nursery_id"),
                              day_from=query.get("date_from"), day_to=query.get("date_to"),
                              page=query["page"], per_page=PER_PAGE)
    return render_template("console/audit.html", log=log, error=error, errors=errors, args=args,
                           actor_options=[(u.id, f"{u.display_name or '（账号已注销）'}"
                                                 f"（{ROLE_NAMES.get(u.role, u.role)}）")
                                          for u in audit.logged_actors()],
                           nursery_options=[(n.id, n.name) for n in audit.logged_nurseries()],
                           actions=ACTION_NAMES, roles=ROLE_NAMES, subjects=SUBJECT_NAMES,
                           changes=_changes)


def _changes(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) for each changed field, values as compact JSON text."""
    before, after = entry.before or {}, entry.after or {}
    return [(_field_name(key), _text(before, key), _text(after, key))
            for key in {**before, **after}]


def _field_name(key: str) -> str:
    """The Chinese label of a changed field; a key the console has no label for is shown
    as itself rather than as the catch-all."""
    return label(key) if key in FIELD_NAMES else key


def _text(values: dict, key: str) -> str:
    if key not in values or values[key] is None:
        return "—"
    value = values[key]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
