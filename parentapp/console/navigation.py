"""The console's navigation, every role's menu in order, declared once.

A page module adds its routes; its menu entry is added here, never by mutating a
list at import time.
"""

from __future__ import annotations

NavItem = tuple[str, str]  # (endpoint, label)

BY_ROLE: dict[str, tuple[NavItem, ...]] = {
    "operator": (
        ("console.my_nurseries", "我的机构"),
    ),
    "regulator": (
        ("console.filing_queue", "备案审核"),
        ("console.dashboard", "指标看板"),
        ("console.township_list", "乡镇人口"),
        ("console.audit_log", "操作记录"),
    ),
}

# Pages every staff account has, whatever its role, shown after the role's own.
EVERY_ROLE: tuple[NavItem, ...] = (
    ("console.change_password", "修改密码"),
)


def nav_items(role: str) -> tuple[NavItem, ...]:
    if role not in BY_ROLE:
        return ()
    return BY_ROLE[role] + EVERY_ROLE
