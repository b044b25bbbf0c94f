"""The dashboard's charts as plain data: what ``static/console/dashboard.js`` draws with
ECharts and what the text table beside each chart lists, built from the statistics
service's figures and never recomputed here.
"""

from __future__ import annotations

from parentapp.domain import CARE_TYPE_NAMES


def places_chart(stats: dict) -> dict:
    """One horizontal bar per township and the target as a line."""
    rows = stats["townships"]
    target = stats["targets"]["places_per_1000"]
    return {
        "kind": "bars", "title": "各乡镇（街道）每千人托位数",
        "categories": [row["name"] for row in rows],
        "codes": [row["code"] for row in rows],
        "series": [{"name": "每千人托位数",
                    "values": [row["places_per_1000"] for row in rows]}],
        "target": target, "target_label": f"目标 {target}",
        "percent": False, "float": True,
    }


def occupancy_chart(stats: dict) -> dict:
    """Booked over offered places by ISO week, one line per care type (rates 0 to 1)."""
    weeks = sorted({row["week"] for row in stats["occupancy"]})
    rates = {(row["care_type"], row["week"]): row["rate"] for row in stats["occupancy"]}
    offered = [key for key in CARE_TYPE_NAMES
               if any(care_type == key for care_type, _ in rates)]
    return {
        "kind": "lines", "title": "各托育类型每周托位使用率",
        "categories": weeks,
        "series": [{"name": CARE_TYPE_NAMES[key], "key": key,
                    "values": [rates.get((key, week)) for week in weeks]}
                   for key in offered],
        "target": None, "target_label": "", "percent": True, "float": True,
    }
