"""Geometry for the server-side SVG charts; the templates only draw what this computes.

Charts are plain inline SVG (no JavaScript) with a title and description, and every
number drawn is formatted by ``format_figure`` -- the same formatting as the data
tables next to them, so chart and table always read the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from casestudies.figures import Band, format_figure

WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 180
PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
ROW_HEIGHT = 30
BAR_HEIGHT = 18

# A story's results chart is drawn narrow, so that on a 375 px phone its 13-unit labels
# still render at about 12 px (the stylesheet caps its width on wide screens).
RESULTS_WIDTH = 360
RESULTS_LABEL_WIDTH = 72
RESULTS_VALUE_WIDTH = 128
RESULTS_PLOT_WIDTH = RESULTS_WIDTH - RESULTS_LABEL_WIDTH - RESULTS_VALUE_WIDTH - 12


def _extent(value: Decimal | Band) -> Decimal:
    """Where a bar ends: a range is drawn to its upper edge."""
    return value.high if isinstance(value, Band) else value


def _scale(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    if high == low:
        high = low + 1
    return low, high


def _position(value: Decimal, low: Decimal, high: Decimal, length: int) -> float:
    return round(float((value - low) / (high - low)) * length, 1)


@dataclass
class Bar:
    label: str
    value: Decimal | None
    text: str  # the number as the table shows it, with unit
    x: float
    y: float
    width: float
    height: float
    kind: str  # "baseline", "result", "value" or "suppressed"

    @property
    def text_y(self) -> float:
        return round(self.y + self.height * 0.75, 1)


@dataclass
class ResultRow:
    label: str
    y: float
    bars: list[Bar]
    audited: bool = False
    audited_y: float = 0  # the "independently audited" mark gets a line of its own


@dataclass
class HorizontalChart:
    rows: list[ResultRow]
    height: int
    zero_x: float
    label_width: int = LABEL_WIDTH
    value_x: int = WIDTH - VALUE_WIDTH
    width: int = WIDTH


def results_chart(results) -> HorizontalChart:
    """Baseline against result, per metric; each metric on its own scale (units differ)."""
    rows = []
    y = 0.0
    for r in results:
        audited = r.verification == "independently-audited"
        mark = 18 if audited else 0  # room for the audited mark under the metric's name
        shown = (r.shown_baseline, r.shown_result)
        values = [_extent(v) for v in shown if v is not None]
        low, high = _scale(values)
        zero = RESULTS_LABEL_WIDTH + _position(Decimal(0), low, high, RESULTS_PLOT_WIDTH)
        bars = []
        for offset, (kind, label, value) in enumerate(
            [("baseline", "Baseline", shown[0]), ("result", "Result", shown[1])]
        ):
            bar_y = y + 24 + mark + offset * (BAR_HEIGHT + 6)
            if value is None:
                bars.append(Bar(label, None, "not measured", zero, bar_y, 0, BAR_HEIGHT, kind))
                continue
            end = RESULTS_LABEL_WIDTH + _position(_extent(value), low, high, RESULTS_PLOT_WIDTH)
            bars.append(
                Bar(
                    label,
                    value,
                    f"{format_figure(value)} {r.unit}".strip(),
                    min(zero, end),
                    bar_y,
                    max(abs(end - zero), 1.0),
                    BAR_HEIGHT,
                    kind,
                )
            )
        rows.append(
            ResultRow(
                label=f"{r.metric.name} ({r.unit})",
                y=y + 14,
                bars=bars,
                audited=audited,
                audited_y=y + 14 + mark,
            )
        )
        y += 24 + mark + 2 * (BAR_HEIGHT + 6) + 14
    return HorizontalChart(
        rows=rows,
        height=int(y) or ROW_HEIGHT,
        zero_x=RESULTS_LABEL_WIDTH,
        label_width=RESULTS_LABEL_WIDTH,
        value_x=RESULTS_WIDTH - RESULTS_VALUE_WIDTH,
        width=RESULTS_WIDTH,
    )


def group_chart(groups, unit: str, measure: str) -> HorizontalChart:
    """One bar per group (industry, intervention, year); suppressed groups get no bar.

    ``measure`` names the Figures attribute drawn: ``total_change`` or ``median_change``.
    """
    values = [getattr(g.figures, measure) for g in groups]
    low, high = _scale([v for v in values if v is not None])
    zero = LABEL_WIDTH + _position(Decimal(0), low, high, PLOT_WIDTH)
    rows = []
    for n, (group, value) in enumerate(zip(groups, values, strict=True)):
        y = n * ROW_HEIGHT
        if value is None:
            reason = "fewer than 3 case studies" if group.figures.suppressed else "no baseline"
            bar = Bar(group.label, None, reason, zero, y + 6, 0, BAR_HEIGHT, "suppressed")
        else:
            end = LABEL_WIDTH + _position(value, low, high, PLOT_WIDTH)
            bar = Bar(
                group.label,
                value,
                f"{format_figure(value)} {unit}".strip(),
                min(zero, end),
                y + 6,
                max(abs(end - zero), 1.0),
                BAR_HEIGHT,
                "value",
            )
        rows.append(ResultRow(label=group.label, y=y + 6 + BAR_HEIGHT * 0.75, bars=[bar]))
    return HorizontalChart(rows=rows, height=max(len(rows), 1) * ROW_HEIGHT + 6, zero_x=zero)
