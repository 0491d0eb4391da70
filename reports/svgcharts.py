"""Trend charts for the PDF as small server-side SVG (WeasyPrint runs no JavaScript).

They read the same trend dict as the web's Chart.js charts (kpis.series.monthly_trend,
frozen in the snapshot) and keep the same conventions (kpis.charts): previous year blue,
dashed, square markers; current year red, solid, circle markers; a legend naming the
years, so colour is never the only cue. Charts are drawn lean, one line path and one
marker path per series and no filters, because the PDF's render time goes into SVG nodes.
"""

from __future__ import annotations

import math

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
    from decimal import Decimal

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
    from decimal import Decimal

    return Decimal(str(value))


def trend_svg(trend: dict, *, title: str, analysis: dict | None = None) -> str:
    """An inline SVG line chart of a KPI's monthly values, this year against last.

    `title` is the chart's accessible name (its <title>, which WeasyPrint also writes as the
    PDF figure's /Alt); the <desc> lists every value. When `analysis` has
    {"spc": {"mean", "upper", "lower"}}, those are drawn as thin labelled grey lines.
    """
    kpi = trend["kpi"]
    labels = trend["labels"]
    previous, current = trend["previous"], trend["current"]
    spc = (analysis or {}).get("spc") or {}
    spc_lines = [
        (name, float(spc[key]))
        for key, name in (("upper", "Upper limit"), ("mean", "Mean"), ("lower", "Lower limit"))
        if spc.get(key) is not None
    ]

    values = [v for v in previous["values"] + current["values"] if v is not None]
    values += [v for _, v in spc_lines]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if kpi["unit"] == "count":
        low = min(low, 0.0)  # counts start at zero, as the web chart does (beginAtZero)
    ticks = nice_ticks(low, high)
    y_min, y_max = ticks[0], ticks[-1]
    right = SPC_RIGHT if spc_lines else RIGHT
    plot_w = WIDTH - LEFT - right
    plot_h = HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    xs = [LEFT + plot_w * (i + 0.5) / n for i in range(n)]

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - y_min) / ((y_max - y_min) or 1))

    grid = "".join(f"M{LEFT} {_fmt(y(t))}H{WIDTH - right}" for t in ticks[1:])
    baseline = _fmt(y(ticks[0]))
    ident = _chart_id(kpi)
    axis = f"M{LEFT} {TOP - 4}V{baseline}H{WIDTH - right}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(describe(trend))}</desc>',
        f'<path d="{grid}" stroke="{GRID}" stroke-width="1" fill="none"/>',
        f'<path d="{axis}" stroke="{AXIS}" stroke-width="1" fill="none"/>',
        f'<g {FONT} font-size="11" fill="#0b0c0c">',
    ]
    for t in ticks:
        out.append(
            f'<text x="{LEFT - 6}" y="{_fmt(y(t) + 4)}" text-anchor="end">'
            f"{escape(_tick_label(t, kpi['unit'], kpi['decimals']))}</text>"
        )
    for x, label in zip(xs, labels, strict=False):
        out.append(
            f'<text x="{_fmt(x)}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" fill="{AXIS}">Month</text>'
    )
    out.append(
        f'<text x="{LEFT - 56}" y="{TOP - 16}" fill="{AXIS}">'
        f"{escape(UNIT_AXIS_LABEL.get(kpi['unit'], kpi['unit']))}</text>"
    )
    # Control-limit labels sit beside the plot, nudged apart so they never overlap.
    label_ys = []
    for name, value in sorted(spc_lines, key=lambda line: -line[1]):
        label_y = max(y(value) + 3, (label_ys[-1] + 10) if label_ys else 0)
        label_ys.append(label_y)
        out.append(
            f'<text x="{WIDTH - right + 4}" y="{_fmt(label_y)}" font-size="10" '
            f'fill="{SPC_COLOUR}">{escape(name)}</text>'
        )
    # Legend, top right: a sample of each line with its marker, then the year it stands for.
    legend_x = WIDTH - RIGHT - 220
    for offset, series in enumerate((previous, current)):
        lx = legend_x + offset * 110
        out.append(f'<text x="{lx + 34}" y="{TOP - 16}">{escape(series["label"])}</text>')
    out.append("</g>")
    if spc_lines:
        spc_path = "".join(f"M{LEFT} {_fmt(y(v))}H{WIDTH - right}" for _, v in spc_lines)
        out.append(f'<path d="{spc_path}" stroke="{SPC_COLOUR}" stroke-width="0.75" fill="none"/>')
    for offset, (series, style) in enumerate(((previous, PREVIOUS_STYLE), (current, CURRENT_STYLE))):
        lx = legend_x + offset * 110
        line, marks = _series_paths(series["values"], xs, y, style["marker"])
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
    out.append("</svg>")
    return "".join(out)


def _chart_id(kpi: dict) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in str(kpi["code"]))
