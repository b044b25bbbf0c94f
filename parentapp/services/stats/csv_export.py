"""The statistics table as CSV for spreadsheets (UTF-8 with BOM, so Excel reads Chinese)."""

from __future__ import annotations

import csv
import io

COLUMNS = [
    ("code", "乡镇代码"), ("name", "乡镇（街道）"), ("population", "常住人口"),
    ("licensed_places", "备案托位数"), ("places_per_1000", "每千人托位数"),
    ("inclusive_nurseries", "普惠托育机构数"), ("kindergarten_classes", "开设托班的幼儿园数"),
    ("family_care_points", "家庭托育点数"), ("family_care_places", "家庭托育点托位数"),
    ("activities_held", "科学育儿活动场次"), ("guidance_rate", "家庭科学育儿指导覆盖率"),
    ("health_management_rate", "婴幼儿健康管理率"),
    ("system_management_rate", "3岁以下儿童系统管理率"),
    ("child_health_management_rate", "0-6岁儿童健康管理率"),
]


def filename(year: int) -> str:
    return f"shizhu-childcare-{year}.csv"


def stats_csv(stats: dict) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in stats["townships"]:
        writer.writerow([_cell(row.get(key)) for key, _ in COLUMNS])
    county = {**stats["county"], "code": "500240", "name": f"全县（{stats['year']}年）"}
    writer.writerow([_cell(county.get(key)) for key, _ in COLUMNS])
    return out.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value)
