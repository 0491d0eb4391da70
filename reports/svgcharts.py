"""Trend charts for the PDF as small server-side SVG (WeasyPrint runs no JavaScript).

They read the same trend dict as the web's Chart.js charts (kpis.series.monthly_trend,
frozen in the snapshot) and keep the same conventions (kpis.charts): previous year blue,
dashed, square markers; current year red, solid, circle markers; a legend naming the
years, so colour is never the only cue. Charts are drawn lean, one line path and one
marker path per series and no filters, because the PDF's render time goes into SVG nodes.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.html import escape

from kpis.charts import CURRENT_STYLE, PREVIOUS_STYLE, SPC_COLOUR
from kpis.formatting import format_value

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 40
SPC_RIGHT = 64  # room for the control-limit labels beside the plot
GRID = "#d0d3d4"
AXIS = "#505a5f"
# The PDF's own typeface (the @font-face family in static/css/report-pdf.css, loaded from
# the portal's static files), then what a browser showing the SVG inline would have.
FONT_FAMILY = "Report Liberation Sans, Liberation Sans, Arial, sans-serif"
FONT = f'font-family="{FONT_FAMILY}"'

# Short on purpose: WeasyPrint lays out SVG text letter by letter, so every character costs.
UNIT_AXIS_LABEL = {
    "count": "Number",
    "percent": "Per cent",
    "seconds": "Seconds",
    "currency": "Pounds (£)",
}


def _fmt(number: float) -> str:
    """A coordinate with at most one decimal: short paths, stable output."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round tick values covering low..high, about `count` of them (1, 2, 2.5, 5 × 10^n steps)."""
    if high <= low:
        high = low + (abs(low) or 1)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    ticks = [round(start + i * step, 10) for i in range(round((end - start) / step) + 1)]
    return ticks


def _tick_label(value: float, unit: str, decimals: int) -> str:
    places = decimals if unit in ("percent", "currency") else 0
    if unit == "seconds":
        return f"{value:,.0f}"
    return format_value(Decimal(str(value)), unit, places)


# A circle of radius 4 as four cubic curves (k = 4 × 0.5523), starting at its left edge.
# WeasyPrint turns SVG arcs into curves with a lot of arithmetic per arc; curves it copies.
CIRCLE = "c0-2.2 1.8-4 4-4s4 1.8 4 4-1.8 4-4 4-4-1.8-4-4z"


def _series_paths(values: list, xs: list[float], y, marker: str) -> tuple[str, str]:
    """(line path, marker path) for one series; a missing month breaks the line."""
    line, marks = [], []
    pen_down = False
    for x, value in zip(xs, values, strict=False):
        if value is None:
            pen_down = False
            continue
        px, py = _fmt(x), _fmt(y(value))
        line.append(f"{'L' if pen_down else 'M'}{px} {py}")
        pen_down = True
        if marker == "rect":
            marks.append(f"M{_fmt(x - 3.5)} {_fmt(y(value) - 3.5)}h7v7h-7z")
        else:
            marks.append(f"M{_fmt(x - 4)} {py}{CIRCLE}")
    return "".join(line), "".join(marks)


def describe(trend: dict) -> str:
    """A text alternative: each year's monthly values in words."""
    kpi = trend["kpi"]
    parts = []
    for key in ("previous", "current"):
        series = trend[key]
        shown = [
            f"{label} {format_value(None if v is None else _decimal(v), kpi['unit'], kpi['decimals'])}"
            for label, v in zip(trend["labels"], series["values"], strict=False)
        ]
        parts.append(f"{series['label']}: " + ", ".join(shown) + ".")
    return " ".join(parts)


def _decimal(value: float):
    return Decimal(str(value))


class _Plot:
    """Where a trend chart's plot area sits and how a value maps to a height in it."""

    def __init__(self, ticks: list[float], *, months: int, with_limits: bool):
        self.ticks = ticks
        self.right = SPC_RIGHT if with_limits else RIGHT
        self.width = WIDTH - LEFT - self.right
        self.height = HEIGHT - TOP - BOTTOM
        count = max(months, 1)
        self.xs = [LEFT + self.width * (i + 0.5) / count for i in range(count)]

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return TOP + self.height * (1 - (value - low) / ((high - low) or 1))


def _control_limits(analysis: dict | None) -> list[tuple[str, float]]:
    spc = (analysis or {}).get("spc") or {}
    return [
        (name, float(spc[key]))
        for key, name in (("upper", "Upper limit"), ("mean", "Mean"), ("lower", "Lower limit"))
        if spc.get(key) is not None
    ]


def _value_ticks(trend: dict, limits: list[tuple[str, float]]) -> list[float]:
    values = [v for v in trend["previous"]["values"] + trend["current"]["values"] if v is not None]
    values += [v for _, v in limits]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if trend["kpi"]["unit"] == "count":
        low = min(low, 0.0)  # counts start at zero, as the web chart does (beginAtZero)
    return nice_ticks(low, high)


def _frame(plot: _Plot, *, ident: str, title: str, trend: dict) -> list[str]:
    """The opening <svg>, its accessible name and description, the grid and the axes."""
    grid = "".join(f"M{LEFT} {_fmt(plot.y(t))}H{WIDTH - plot.right}" for t in plot.ticks[1:])
    baseline = _fmt(plot.y(plot.ticks[0]))
    axis = f"M{LEFT} {TOP - 4}V{baseline}H{WIDTH - plot.right}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(describe(trend))}</desc>',
        f'<path d="{grid}" stroke="{GRID}" stroke-width="1" fill="none"/>',
        f'<path d="{axis}" stroke="{AXIS}" stroke-width="1" fill="none"/>',
    ]


def _axis_labels(plot: _Plot, kpi: dict, labels: list[str]) -> list[str]:
    out = [
        f'<text x="{LEFT - 6}" y="{_fmt(plot.y(t) + 4)}" text-anchor="end">'
        f"{escape(_tick_label(t, kpi['unit'], kpi['decimals']))}</text>"
        for t in plot.ticks
    ]
    out += [
        f'<text x="{_fmt(x)}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle">{escape(label)}</text>'
        for x, label in zip(plot.xs, labels, strict=False)
    ]
    middle = f"{LEFT + plot.width / 2:.0f}"
    out.append(f'<text x="{middle}" y="{HEIGHT - 6}" text-anchor="middle" fill="{AXIS}">Month</text>')
    out.append(
        f'<text x="{LEFT - 56}" y="{TOP - 16}" fill="{AXIS}">'
        f"{escape(UNIT_AXIS_LABEL.get(kpi['unit'], kpi['unit']))}</text>"
    )
    return out


def _limit_labels(plot: _Plot, limits: list[tuple[str, float]]) -> list[str]:
    """Control-limit labels beside the plot, nudged apart so they never overlap."""
    out, label_ys = [], []
    for name, value in sorted(limits, key=lambda line: -line[1]):
        label_y = max(plot.y(value) + 3, (label_ys[-1] + 10) if label_ys else 0)
        label_ys.append(label_y)
        out.append(
            f'<text x="{WIDTH - plot.right + 4}" y="{_fmt(label_y)}" font-size="10" '
            f'fill="{SPC_COLOUR}">{escape(name)}</text>'
        )
    return out


def _series_lines(plot: _Plot, series_styles, legend_x: float) -> list[str]:
    """Each year's line and markers, with its legend sample (line and marker) top right."""
    out = []
    for offset, (series, style) in enumerate(series_styles):
        lx = legend_x + offset * 110
        line, marks = _series_paths(series["values"], plot.xs, plot.y, style["marker"])
        sample_marker = (
            f"M{lx + 11.5} {TOP - 23.5}h7v7h-7z"
            if style["marker"] == "rect"
            else f"M{lx + 11} {TOP - 20}{CIRCLE}"
        )
        dash = f' stroke-dasharray="{" ".join(str(d) for d in style["dash"])}"' if style["dash"] else ""
        colour = style["colour"]
        out.append(
            f'<path d="M{lx} {TOP - 20}h30{line}" stroke="{colour}" stroke-width="2" fill="none"{dash}/>'
        )
        out.append(f'<path d="{sample_marker}{marks}" fill="{colour}"/>')
    return out


def trend_svg(trend: dict, *, title: str, analysis: dict | None = None) -> str:
    """An inline SVG line chart of a KPI's monthly values, this year against last.

    `title` is the chart's accessible name (its <title>, which WeasyPrint also writes as the
    PDF figure's /Alt); the <desc> lists every value. When `analysis` has
    {"spc": {"mean", "upper", "lower"}}, those are drawn as thin labelled grey lines.
    """
    kpi = trend["kpi"]
    previous, current = trend["previous"], trend["current"]
    limits = _control_limits(analysis)
    plot = _Plot(_value_ticks(trend, limits), months=len(trend["labels"]), with_limits=bool(limits))
    out = _frame(plot, ident=_chart_id(kpi), title=title, trend=trend)
    out.append(f'<g {FONT} font-size="11" fill="#0b0c0c">')
    out += _axis_labels(plot, kpi, trend["labels"])
    out += _limit_labels(plot, limits)
    # Legend, top right: a sample of each line with its marker, then the year it stands for.
    legend_x = WIDTH - RIGHT - 220
    for offset, series in enumerate((previous, current)):
        x = legend_x + offset * 110 + 34
        out.append(f'<text x="{x}" y="{TOP - 16}">{escape(series["label"])}</text>')
    out.append("</g>")
    if limits:
        spc_path = "".join(f"M{LEFT} {_fmt(plot.y(v))}H{WIDTH - plot.right}" for _, v in limits)
        out.append(f'<path d="{spc_path}" stroke="{SPC_COLOUR}" stroke-width="0.75" fill="none"/>')
    out += _series_lines(plot, ((previous, PREVIOUS_STYLE), (current, CURRENT_STYLE)), legend_x)
    out.append("</svg>")
    return "".join(out)


def _chart_id(kpi: dict) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in str(kpi["code"]))
