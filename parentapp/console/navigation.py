"""The console's navigation, declared once: every role's menu in order, and the tabs
of one nursery's pages.

A page module adds its routes; its menu entry or tab is added here, never by mutating
a list at import time. Later pages (carers' pickup lists, staff, alerts, allocation
rounds) take their place in these tuples. ``tests/console/test_console_menu_pages.py`` checks
that every entry names a registered GET page.
"""

from __future__ import annotations

NavItem = tuple[str, str]  # (endpoint, label)

BY_ROLE: dict[str, tuple[NavItem, ...]] = {
    "operator": (
        ("console.my_nurseries", "我的机构"),
        ("console.class_list", "育儿课程"),
        ("console.alert_list", "预警"),
    ),
    "regulator": (
        ("console.filing_queue", "备案审核"),
        ("console.alert_list", "预警"),
        ("console.dashboard", "指标看板"),
        ("console.township_list", "乡镇人口"),
        ("console.class_list", "育儿课程"),
        ("console.audit_log", "操作记录"),
    ),
}

# Pages every staff account has, whatever its role, shown after the role's own.
EVERY_ROLE: tuple[NavItem, ...] = (
    ("console.change_password", "修改密码"),
)

# One nursery's pages for its operator; each endpoint takes ``nursery_id``.
NURSERY_TABS: tuple[NavItem, ...] = (
    ("console.nursery_profile", "机构资料"),
    ("console.offering_list", "服务项目"),
    ("console.generate_slots", "生成时段"),
    ("console.slot_calendar", "托位日历"),
    ("console.day_roster", "每日名单"),
    ("console.staff_list", "员工"),
    ("console.ratio_now", "今日配比"),
    ("console.round_list", "入托申请"),
)


def nav_items(role: str) -> tuple[NavItem, ...]:
    if role not in BY_ROLE:
        return ()
    return BY_ROLE[role] + EVERY_ROLE
