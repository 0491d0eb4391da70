"""Periods: does a date, a financial year or "the same quarter" belong to the report?"""

from __future__ import annotations

import bisect
import calendar
import re
from datetime import date

from kpis.periods import Period, add_months, month_end

from .figures import MONTH_NAMED, QUARTER_NAMED, Figure, sentence_spans
from .findings import Finding, figure_finding

SAME_QUARTER = (
    "The report compares {current} with {previous}, whole periods of {months} months; "
    "“{text}” does not describe them."
)
AS_AT_OUTSIDE = "“{text}” is outside the report period {current} ({long})."
AS_AT_SUGGEST = " It is the end of {previous}; did you mean {month} {year}?"
PERIOD_OUTSIDE = "{text} is not a period of this report ({current} against {previous})."
DATE_OUTSIDE = (
    "{text} is outside the periods the report covers ({span}): fine for the date of an event, "
    "but the tables hold no figure for it."
)
RANGE_OTHER = (
    "{text} is not one of the report's periods ({current}, {previous}): its figures cannot be checked."
)


def period_finding(  # the period rules read best side by side
    number: str, fig: Figure, report: Period, comparison: Period
) -> Finding:
    start, end = fig.period
    covered = (min(report.start, comparison.start), max(report.end, comparison.end))
    label = f"{report.label} against {comparison.label}"
    if fig.kind == "period":
        for p in (report, comparison):
            if (start, end) == (p.start, p.end):
                message = f"{fig.text} is {p.label}."
                return figure_finding(number, fig, "match", data_value=p.label, message=message)
        inside = [p for p in (report, comparison) if p.start <= start and end <= p.end]
        if inside:
            return figure_finding(
                number,
                fig,
                "match",
                data_value=inside[0].label,
                message=f"{fig.text} is within {inside[0].label}.",
            )
        containing = [p for p in (report, comparison) if start <= p.start and p.end <= end]
        if containing and "/" in fig.text and (end - start).days < 370:
            return figure_finding(
                number, fig, "match", data_value=containing[0].label,
                message=f"{fig.text} is the financial year containing {containing[0].label}.",
            )  # fmt: skip
        if "/" in fig.text and not re.search(r"[a-z]", fig.text, re.I):  # a financial year
            return figure_finding(
                number, fig, "period", data_value=label,
                message=PERIOD_OUTSIDE.format(text=fig.text, current=report.label, previous=comparison.label),
            )  # fmt: skip
        if start <= covered[1] and end >= covered[0] and re.search(r"[a-z]", fig.text[:3], re.I):
            return figure_finding(
                number, fig, "unsourced", data_value=label,
                message=RANGE_OTHER.format(text=fig.text, current=report.label, previous=comparison.label),
            )  # fmt: skip
        return figure_finding(
            number, fig, "period", data_value=label,
            message=PERIOD_OUTSIDE.format(text=fig.text, current=report.label, previous=comparison.label),
        )  # fmt: skip
    if fig.as_at:
        if report.start <= end <= report.end:
            return figure_finding(
                number, fig, "match", data_value=report.label, message=f"{fig.text} is within {report.label}."
            )
        message = AS_AT_OUTSIDE.format(text=fig.text, current=report.label, long=report.long_label)
        if comparison.start <= end <= comparison.end:
            later = add_months(end.replace(day=1), 12)
            if report.contains(later):
                message += AS_AT_SUGGEST.format(
                    previous=comparison.label, month=calendar.month_name[later.month], year=later.year
                )
        return figure_finding(number, fig, "period", data_value=report.long_label, message=message)
    span = f"{Period(covered[0], covered[1]).long_label}"
    if covered[0] <= start and end <= covered[1]:
        which = report if report.start <= start and end <= report.end else comparison
        return figure_finding(
            number, fig, "match", data_value=which.label, message=f"{fig.text} is within {which.label}."
        )
    return figure_finding(
        number, fig, "unsourced", data_value=span, message=DATE_OUTSIDE.format(text=fig.text, span=span)
    )


def same_period_findings(number: str, text: str, report: Period, comparison: Period) -> list[Finding]:
    """'the same quarter' or 'the same month' in a report that compares other periods."""
    findings = []
    kinds = {3: "quarter", 1: "month"}
    sentences = sentence_spans(text)
    starts = [s[0] for s in sentences]
    named_in: dict[tuple, bool] = {}
    for m in re.finditer(r"\bthe (?:same|equivalent|corresponding) (quarter|month)\b", text, re.I):
        kind = m.group(1).lower()
        if kinds.get(report.month_count) == kind:
            continue
        sentence = sentences[bisect.bisect_right(starts, m.start()) - 1]
        if (kind, sentence) not in named_in:
            named = QUARTER_NAMED if kind == "quarter" else MONTH_NAMED
            named_in[kind, sentence] = bool(named.search(text, sentence[0], sentence[1]))
        if named_in[kind, sentence]:
            continue  # "quarter 4 of 18/19 ... the equivalent quarter": a named part of the year
        message = SAME_QUARTER.format(
            current=report.label, previous=comparison.label, months=report.month_count, text=m.group(0)
        )
        findings.append(
            Finding(
                paragraph=number, start=m.start(), end=m.end(), text=m.group(0), kind="period",
                status="period", data_value=f"{report.label} against {comparison.label}", message=message,
            )
        )  # fmt: skip
    return findings


def period_from(d: dict) -> Period:
    return Period(date.fromisoformat(d["start"]).replace(day=1), month_end(date.fromisoformat(d["end"])))
