"""The "analysis" of one KPI row: its XmR reading and whether its change is beyond the usual variation.

`row_analysis` returns the JSON-safe dict frozen into each row of a publication
(docs/snapshot.md, `rows[].analysis`). Web charts and PDF charts draw `spc` lines from it;
the KPI table shows `significance` as a quiet marker with its explanation, and the reviewer's
page its dispersion and how it sits with the XmR reading (`spc_note`).

    {"spc": null | {                         # null with fewer than 12 months of figures
        "mean": float, "upper": float, "lower": float,   # process limits, clamped to 0 (and 100 for %)
        "average_moving_range": float, "points": int,
        "signals": [{"index": 0-23, "month": "2018-09-01", "rule": "beyond_limit" | "shift" |
                     "trend" | "two_of_three", "direction": "up" | "down"}],
        "reading": "Special cause: 7 months above the mean since September 2018.",
        "variation": "common" | "special-improvement" | "special-concern" | "special-neither"},
     "significance": null | {...}}           # kpis.significance_result: null for a missing figure,
                                             # a percentage, a time or money; otherwise the test
                                             # of the change, or why it is not tested

Signal indexes count the 24 months of the trend, previous year first (index 12 = April of
the current year).
"""

from __future__ import annotations

from .significance_result import significance_result, spc_note
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


def _label(comparison: dict, key: str) -> str:
    return ((comparison.get(key) or {}).get("period") or {}).get("label", "")


def significance_analysis(*, kpi, comparison: dict, trend: dict | None = None) -> dict | None:
    """How the change compares with the usual variation (kpis.significance_result), or None.

    None where there is no change to test (a figure missing) or the KPI is a percentage,
    time or amount of money; rates and stated figures say why they are not tested.
    """
    unit, aggregation = _field(kpi, "unit", "count"), _field(kpi, "aggregation", "sum")
    if unit != "count" and aggregation != "last":
        return None
    current, previous = comparison.get("current") or {}, comparison.get("previous") or {}
    if current.get("value") is None or previous.get("value") is None or comparison.get("change") is None:
        return None
    return significance_result(
        aggregation=aggregation,
        previous=previous,
        current=current,
        previous_months=((trend or {}).get("previous") or {}).get("values"),
        current_months=((trend or {}).get("current") or {}).get("values"),
        labels=(_label(comparison, "previous"), _label(comparison, "current")),
    )


def row_analysis(*, kpi, trend: dict, comparison: dict) -> dict:
    """{"spc": {...} | None, "significance": {...} | None} for one KPI row.

    `kpi` is a Kpi or the row's kpi dict (unit, good_direction, optional aggregation);
    `trend` is kpis.series.monthly_trend(); `comparison` is Comparison.as_dict().
    """
    analysis = {
        "spc": spc_analysis(kpi=kpi, trend=trend),
        "significance": significance_analysis(kpi=kpi, comparison=comparison, trend=trend),
    }
    if analysis["significance"]:
        analysis["significance"]["spc_note"] = spc_note(analysis["spc"], analysis["significance"])
    return analysis
