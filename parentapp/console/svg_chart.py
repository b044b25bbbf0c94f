"""A horizontal bar chart as inline SVG: one bar per township and a target line."""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 18
LABEL_WIDTH = 90
CHART_WIDTH = 520


@dataclass(frozen=True)
class Bar:
    label: str
    key: str
    value: float | None
    y: int
    width: float
    meets: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    target: float
    target_x: float
    height: int
    scale_max: float
    label_width: int = LABEL_WIDTH
    width: int = LABEL_WIDTH + CHART_WIDTH + 60


def bar_chart(rows: list[tuple[str, str, float | None]], target: float) -> BarChart:
    top = max([target * 1.5] + [value for _, _, value in rows if value is not None])
    scale = CHART_WIDTH / top
    bars = [Bar(label, key, value, 20 + i * ROW_HEIGHT, (value or 0) * scale,
                value is not None and value >= target)
            for i, (label, key, value) in enumerate(rows)]
    return BarChart(bars=bars, target=target, target_x=LABEL_WIDTH + target * scale,
                    height=30 + len(rows) * ROW_HEIGHT, scale_max=top)
