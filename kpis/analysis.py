"""The "analysis" of one KPI row: its XmR reading and whether its change is beyond chance.

`row_analysis` returns the JSON-safe dict frozen into each row of a publication
(docs/snapshot.md, `rows[].analysis`). Web charts and PDF charts draw `spc` lines from it;
the KPI table shows `significance` as a quiet marker with its explanation.

    {"spc": null | {                         # null with fewer than 12 months of figures
        "mean": float, "upper": float, "lower": float,   # process limits, clamped to 0 (and 100 for %)
        "average_moving_range": float, "points": int,
        "signals": [{"index": 0-23, "month": "2018-09-01", "rule": "beyond_limit" | "shift" |
                     "trend" | "two_of_three", "direction": "up" | "down"}],
        "reading": "Special cause: 7 months above the mean since September 2018.",
        "variation": "common" | "special-improvement" | "special-concern" | "special-neither"},
     "significance": null | {                # null unless a summed count with both figures
        "previous": int, "current": int, "method": "exact" | "normal", "z": float | null,
        "p_value": float, "level": 0.05, "significant": bool,
        "explanation": "The rise from 138,893 to 150,536 is larger than chance alone would explain …"}}

Signal indexes count the 24 months of the trend, previous year first (index 12 = April of
the current year).
"""

from __future__ import annotations

from .significance import count_change
from .spc import TOO_FEW_POINTS, trend_months, xmr

MIN_SPC_POINTS = 12  # fewer months make limits too unstable to read
NON_NEGATIVE_UNITS = {"count", "seconds", "currency", "percent"}
DIGITS = 4


def _field(kpi, name: str, default=None):
    if isinstance(kpi, dict):
        return kpi.get(name, default)
    return getattr(kpi, name, default)


def spc_analysis(*, kpi, trend: dict) -> dict | None:
    """The XmR lines, signals and reading for the 24 months of a trend, or None if too few."""
    values, months = trend_months(trend)
    if sum(v is not None for v in values) < MIN_SPC_POINTS:
        return None
    try:
        result = xmr(values, months=months, good_direction=_field(kpi, "good_direction", "neither"))
    except ValueError as error:  # no two neighbouring months: nothing to chart
        if str(error) == TOO_FEW_POINTS:
            return None
        raise
    lower, upper = result.lower, result.upper
    # Limits are drawn on the chart: a count can never fall below zero, a percentage stays 0-100.
    unit = _field(kpi, "unit", "count")
    if unit in NON_NEGATIVE_UNITS:
        lower = max(lower, 0.0)
    if unit == "percent":
        upper = min(upper, 100.0)
    return {
        "mean": round(result.mean, DIGITS),
        "upper": round(upper, DIGITS),
        "lower": round(lower, DIGITS),
        "average_moving_range": round(result.average_moving_range, DIGITS),
        "points": result.points,
        "signals": [
            {"index": s.index, "month": months[s.index], "rule": s.rule, "direction": s.direction}
            for s in result.signals
        ],
        "reading": result.reading,
        "variation": result.variation,
    }


def significance_analysis(*, kpi, comparison: dict) -> dict | None:
    """The two-Poisson-counts test of a count KPI's change, or None where it does not apply."""
    if _field(kpi, "unit") != "count" or _field(kpi, "aggregation", "sum") != "sum":
        return None
    current, previous = comparison.get("current") or {}, comparison.get("previous") or {}
    if current.get("value") is None or previous.get("value") is None or comparison.get("change") is None:
        return None
    try:
        result = count_change(
            previous=previous["value"],
            current=current["value"],
            previous_length=previous.get("months_expected") or 1,
            current_length=current.get("months_expected") or 1,
        )
    except ValueError:  # fractional or negative "counts" are not events: no test
        return None
    return result.as_dict()


def row_analysis(*, kpi, trend: dict, comparison: dict) -> dict:
    """{"spc": {...} | None, "significance": {...} | None} for one KPI row.

    `kpi` is a Kpi or the row's kpi dict (unit, good_direction, optional aggregation);
    `trend` is kpis.series.monthly_trend(); `comparison` is Comparison.as_dict().
    """
    return {
        "spc": spc_analysis(kpi=kpi, trend=trend),
        "significance": significance_analysis(kpi=kpi, comparison=comparison),
    }
