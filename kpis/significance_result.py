"""The significance of one KPI row's change: which test applies, its verdict, and its fit with SPC.

`significance_result` returns the JSON-safe dict frozen into `rows[].analysis.significance`
of a snapshot (docs/snapshot.md):

    {"method": "quasi-poisson" | "exact" | "normal" | "not-tested",
     "previous": int | null, "current": int | null,          # the two totals tested
     "months": {"previous": 12, "current": 12} | null,       # monthly figures the test read
     "ratio": float | null, "interval": [low, high] | null,  # current rate / previous rate, 95%
     "dispersion": float | null,                             # the one used (never below 1)
     "pearson_dispersion": float | null, "df": int | null,   # as estimated from the months
     "t": float | null, "z": float | null,                   # t for quasi-Poisson, z for the others
     "p_value": float | null, "level": 0.05, "significant": bool | null,
     "explanation": "A rise of 8% (95% interval +2% to +15%): bigger than …",  # for readers
     "fallback": "" | why the test for two counts stands in,
     "dispersion_note": str,                                 # for reviewers
     "spc_note": "" | how the XmR reading and this test disagree}   # for reviewers

A summed count with a figure for every month, at least MIN_MONTHS in each period and some
events in both, gets the quasi-Poisson test (kpis.quasi_poisson). Other summed counts fall
back to the exact or normal test for two counts (kpis.significance) and say why. Rates and
averages of the months (such as rates per 1,000) and figures stated for a period ("as at"
or rolling figures) are not tested, and say why: `significant` is null for them.
"""

from __future__ import annotations

from .quasi_poisson import MIN_MONTHS, describe_dispersion, explain, rate_change
from .significance import LEVEL, count_change

NOT_TESTED_STATED = (
    "Not tested: this figure is stated for a period or as at a date, not counted month by month, "
    "so there are no counts of events to compare."
)
NOT_TESTED_RATE = (
    "Not tested: this figure is a rate or an average of the months (such as a rate per 1,000), "
    "not a count of events, and the test compares counts."
)
NOT_TESTED_FRACTIONAL = "Not tested: the figures are not whole numbers, so they are not counts of events."
NONE_IN_EITHER = "Not tested: there were none in either period, so there is no change to test."
FALLBACK = (
    "{reason}, so this is the simpler test for two counts, which does not allow for how much the "
    "months normally vary."
)
NO_DISPERSION = "No dispersion estimated: the counts are treated as Poisson (dispersion 1). {reason}."
DIGITS = 6


def _whole(value) -> int | None:
    number = float(value)
    return int(number) if number >= 0 and number == int(number) else None


def _not_tested(explanation: str, previous=None, current=None) -> dict:
    return {
        "method": "not-tested",
        "previous": previous,
        "current": current,
        "months": None,
        "ratio": None,
        "interval": None,
        "dispersion": None,
        "pearson_dispersion": None,
        "df": None,
        "t": None,
        "z": None,
        "p_value": None,
        "level": LEVEL,
        "significant": None,
        "explanation": explanation,
        "fallback": "",
        "dispersion_note": "",
    }


def _fallback_reason(previous: dict, current: dict, months: tuple, labels: tuple, totals: tuple) -> str:
    """Why the quasi-Poisson test cannot be used, or "" when it can."""
    for period, values, label in zip((previous, current), months, labels, strict=True):
        expected = period.get("months_expected") or 0
        present = period.get("months_present") or 0
        if period.get("source") != "months" or present < expected or values is None:
            if not present:
                return f"The figure for {label} is stated for the period as a whole, with no monthly figures"
            return f"{label} does not have a figure for every month ({present} of {expected})"
        if len(values) != expected or any(v is None for v in values):
            return f"{label} does not have a figure for every month"
        if expected < MIN_MONTHS:
            return (
                f"With {expected} months in {label} there are too few monthly figures to estimate how much "
                f"the months vary (the test needs at least {MIN_MONTHS} in each period)"
            )
        if any(_whole(v) is None for v in values):
            return f"The monthly figures for {label} are not whole numbers"
    for total, label in zip(totals, labels, strict=True):
        if total == 0:
            return f"There were none in {label}, so there is no ratio of rates to give"
    return ""


def _quasi_poisson(result, labels: tuple) -> dict:
    return {
        "method": "quasi-poisson",
        "previous": result.previous_total,
        "current": result.current_total,
        "months": {"previous": result.previous_months, "current": result.current_months},
        "ratio": round(result.ratio, DIGITS),
        "interval": [round(result.low, DIGITS), round(result.high, DIGITS)],
        "dispersion": round(result.dispersion, 4),
        "pearson_dispersion": round(result.pearson_dispersion, 4),
        "df": result.df,
        "t": round(result.t, 4),
        "z": None,
        "p_value": result.p_value,
        "level": result.level,
        "significant": result.significant,
        "explanation": explain(result, previous_label=labels[0], current_label=labels[1]),
        "fallback": "",
        "dispersion_note": describe_dispersion(result),
    }


def significance_result(
    *,
    aggregation: str,
    previous: dict,
    current: dict,
    previous_months: list | None,
    current_months: list | None,
    labels: tuple[str, str] = ("the previous period", "this period"),
    level: float = LEVEL,
) -> dict:
    """The significance dict for a count KPI's two periods.

    `previous` / `current` are the comparison's period dicts (value, months_expected,
    months_present, source); `*_months` the monthly figures of each period, in order.
    """
    if aggregation == "last":
        return _not_tested(NOT_TESTED_STATED)
    if aggregation != "sum":
        return _not_tested(NOT_TESTED_RATE)
    c1, c2 = _whole(previous["value"]), _whole(current["value"])
    if c1 is None or c2 is None:
        return _not_tested(NOT_TESTED_FRACTIONAL)
    if c1 == 0 and c2 == 0:
        return _not_tested(NONE_IN_EITHER, 0, 0)
    reason = _fallback_reason(previous, current, (previous_months, current_months), labels, (c1, c2))
    if not reason:
        result = rate_change(previous=previous_months, current=current_months, level=level)
        return _quasi_poisson(result, labels)
    simple = count_change(
        previous=c1,
        current=c2,
        level=level,
        previous_length=previous.get("months_expected") or 1,
        current_length=current.get("months_expected") or 1,
    )
    fallback = FALLBACK.format(reason=reason)
    return {
        **_not_tested("", c1, c2),
        "method": simple.method,
        "z": None if simple.z is None else round(simple.z, 4),
        "p_value": simple.p_value,
        "level": simple.level,
        "significant": simple.significant,
        "explanation": f"{simple.explanation} {fallback}",
        "fallback": fallback,
        "dispersion_note": NO_DISPERSION.format(reason=reason),
    }


def _way(rise: bool) -> str:
    return "rise" if rise else "fall"


def spc_note(spc: dict | None, significance: dict) -> str:
    """Where the XmR reading and the test disagree, what each found, in words; else ""."""
    if not spc or significance.get("significant") is None:
        return ""
    special = spc.get("variation", "common") != "common"
    reading = spc.get("reading", "")
    simple = significance.get("method") != "quasi-poisson"
    if significance["significant"] and not special:
        why = (
            " The test for two counts used here does not allow for how much the months vary, and the"
            " chart does, so the chart is the better guide."
            if simple
            else " The evidence of a change between the periods is therefore modest."
        )
        return (
            "The test and the XmR chart disagree: the test finds the difference between the two periods "
            "bigger than the usual variation would explain, but the chart finds no month or run of months "
            f"outside its ordinary variation.{why}"
        )
    if not significance["significant"] and special:
        return (
            f"The XmR chart and the test disagree: the chart reads “{reading}”, but the test finds the "
            "difference between the two periods' averages within the usual variation. The unusual months "
            "do not move a whole period's average beyond that variation; read the chart's signal as news "
            "about those months, not about the period as a whole."
        )
    signals = spc.get("signals") or []
    if significance["significant"] and signals:
        rise = (significance.get("current") or 0) > (significance.get("previous") or 0)
        latest = signals[-1].get("direction")
        if latest in ("up", "down") and (latest == "up") != rise:
            return (
                f"The test finds a {_way(rise)} between the two periods, but the XmR chart's latest signal "
                f"is a {_way(not rise)} (“{reading}”): the latest months have turned the other way."
            )
    return ""
