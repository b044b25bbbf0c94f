"""The Chinese label of every form field the console shows, declared once.

Errors name the field by its label ("容量：应在 0 到 1000 之间。"), never by the
schema's English key. A page adds its fields here; an unknown key falls back to
"填写内容" rather than leaking the key.
"""

from __future__ import annotations

# ISO weekday numbers, as the slot forms and the calendar take them.
WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}

FIELD_LABELS: dict[str, str] = {
    # accounts
    "username": "用户名", "password": "密码", "old_password": "原密码",
    "new_password": "新密码", "confirm_password": "再次输入新密码", "phone": "联系电话",
    "name": "名称", "nickname": "姓名",
    # nursery profile and filing
    "address": "地址", "township": "乡镇（街道）", "lat": "纬度", "lng": "经度",
    "kind": "类型", "inclusive": "普惠", "licensed_places": "备案托位数",
    "opening_hours": "开放时间", "hours_day": "全天开放时间", "hours_am": "上午时段",
    "hours_pm": "下午时段", "registration_type": "登记类型",
    "credit_code": "统一社会信用代码", "description": "简介",
    "open_to_public": "对外开放", "filing_no": "备案编号", "reason": "理由",
    "filing_status": "备案状态", "filed_on": "备案日期",
    # offerings
    "care_type": "托育类型", "price_fen": "价格", "price_yuan": "价格（元）",
    "age_min_months": "最小月龄", "age_max_months": "最大月龄",
    "book_ahead_days": "可提前预约天数", "min_notice_hours": "最少提前小时数",
    "cancel_cutoff_hours": "取消截止（开始前小时数）",
    # slots
    "from": "开始日期", "to": "结束日期", "date_from": "开始日期", "date_to": "结束日期",
    "weekdays": "星期", "parts": "时段", "capacity": "容量", "status": "状态",
    "slot_id": "时段", "slot_ids": "时段", "changes": "修改内容", "date": "日期",
    "action": "修改方式", "days": "选中当天", "whole_month": "选中本月",
    "start": "开始时间", "end": "结束时间", "windows": "时间段",
    # bookings and roster
    "picked_up_by": "接走的人", "note": "备注", "booking_id": "预约",
    # staff
    "role": "岗位", "certificates": "资格证书", "health_certificate_expires_on": "健康证有效期至",
    "left_at": "离职时间",
    # rounds of monthly places (入托申请) and their demand
    "month": "月份", "places": "名额", "closes_at": "截止时间", "priority_rules": "优先规则",
    "demand_month": "月份",
    # classes
    "title": "课程名称", "venue": "地点", "starts_at": "开始时间", "ends_at": "结束时间",
    "enroll_deadline": "报名截止时间", "child_age_min_months": "儿童最小月龄",
    "child_age_max_months": "儿童最大月龄", "nursery_id": "所属机构",
    "enrollment_ids": "报名记录", "attended": "出勤",
    # statistics and audit
    "population": "常住人口", "year": "年份", "actor": "操作人", "page": "页码",
    "per_page": "每页条数", "created": "新建数量", "slots": "时段", "cancelled_at": "取消时间",
    # catch-all of marshmallow's schema-level errors
    "_schema": "填写内容",
}


def label(field: str) -> str:
    return FIELD_LABELS.get(field, FIELD_LABELS["_schema"])
