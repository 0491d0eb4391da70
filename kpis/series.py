"""Reading observations: a KPI's value over a period, and its monthly trend.

Monthly values combine by the KPI's aggregation (sum, mean, last). Where a period has
no complete set of months, a value stated for exactly that period (a rolling-12-month
survey figure, an annual "as at" figure) is used instead; otherwise the value is
reported missing with the months that are absent, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import Observation
from .periods import MONTH_ABBR, Period, month_end


@dataclass
class PeriodValue:
    period: Period
    value: Decimal | None
    months_expected: int
    months_present: int
    source: str  # "months", "stated" or "none"
    note: str = ""

    @property
    def complete(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict:
        return {
            "period": self.period.as_dict(),
            "value": None if self.value is None else str(self.value),
            "months_expected": self.months_expected,
            "months_present": self.months_present,
            "source": self.source,
            "note": self.note,
        }


def _aggregate(values: list[Decimal], aggregation: str) -> Decimal:
    if aggregation == "sum":
        return sum(values, Decimal(0))
    if aggregation == "mean":
        return sum(values, Decimal(0)) / len(values)
    return values[-1]  # "last": values are in month order


def observations(*, kpi, organisation, period: Period) -> list[tuple[date, date, Decimal]]:
    """(start, end, value) of every observation of the KPI that ends inside the period.

    That is all a period's value can come from: its months, a figure stated for exactly
    the period, or the latest "as at" figure. One query; the functions below read it.
    """
    # order_by(): the model's default ordering joins KPI and organisation for nothing.
    return list(
        Observation.objects.order_by()
        .filter(kpi=kpi, organisation=organisation, period_end__gte=period.start, period_end__lte=period.end)
        .values_list("period_start", "period_end", "value")
    )


def _months(rows, period: Period) -> dict[date, Decimal]:
    return {
        start: value
        for start, end, value in rows
        if start >= period.start and start.day == 1 and end == month_end(start)
    }


def monthly_values(*, kpi, organisation, period: Period, rows=None) -> dict[date, Decimal]:
    """{first of month: value} for the calendar-month observations inside the period.

    `rows` is `observations(...)` for the period when the caller has already read it.
    """
    if rows is None:
        rows = observations(kpi=kpi, organisation=organisation, period=period)
    return _months(rows, period)


def period_value(*, kpi, organisation, period: Period, rows=None) -> PeriodValue:
    """The KPI's value over the period, or None with a note saying why there is none.

    `rows` is `observations(...)` for the period when the caller has already read it (the
    peer rankings read a whole group's in one query).
    """
    if rows is None:
        rows = observations(kpi=kpi, organisation=organisation, period=period)
    months = period.months()
    found = _months(rows, period)
    if len(found) == len(months):
        values = [found[m] for m in months]
        return PeriodValue(period, _aggregate(values, kpi.aggregation), len(months), len(months), "months")

    stated = next((v for s, e, v in rows if s == period.start and e == period.end), None)
    if stated is not None:
        return PeriodValue(period, stated, len(months), len(found), "stated")

    if kpi.aggregation == "last" and rows:
        # An "as at" snapshot: the latest observation that ends inside the period.
        start, as_at, value = max(rows, key=lambda row: row[1])
        if start != as_at:
            note = f"Figure for {start:%b %Y} – {as_at:%b %Y}, the latest in {period.label}."
        elif as_at != period.end:
            note = f"Latest figure is as at {as_at:%-d %B %Y}."
        else:
            note = ""
        return PeriodValue(period, value, len(months), len(found), "stated", note)

    if not found:
        return PeriodValue(period, None, len(months), 0, "none", f"No figures for {period.label}.")
    missing = [m for m in months if m not in found]
    names = ", ".join(f"{MONTH_ABBR[m.month - 1]} {m.year}" for m in missing[:6])
    more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
    return PeriodValue(
        period,
        None,
        len(months),
        len(found),
        "none",
        f"{period.label} is incomplete: {len(missing)} of {len(months)} months "
        f"{'has' if len(missing) == 1 else 'have'} no figure "
        f"({names}{more}), so no total is shown.",
    )


def monthly_trend(*, kpi, organisation, current: Period, previous: Period, rows=None) -> dict:
    """Monthly values of both periods aligned month by month (April to March for a year).

    Returns a JSON-safe dict, the one shape that web charts, PDF charts and frozen
    publications all read. `rows` is (current, previous) `observations(...)` when the
    caller has already read them.
    """
    current_rows, previous_rows = rows or (None, None)
    cur = monthly_values(kpi=kpi, organisation=organisation, period=current, rows=current_rows)
    prev = monthly_values(kpi=kpi, organisation=organisation, period=previous, rows=previous_rows)

    def values(found, period):
        return [None if m not in found else float(found[m]) for m in period.months()]

    return {
        "kpi": {"code": kpi.code, "name": kpi.name, "unit": kpi.unit, "decimals": kpi.decimals},
        "labels": [MONTH_ABBR[m.month - 1] for m in current.months()],
        "months": [m.isoformat() for m in current.months()],
        "previous_months": [m.isoformat() for m in previous.months()],
        "current": {
            "label": current.label,
            "short_label": current.short_label,
            "values": values(cur, current),
        },
        "previous": {
            "label": previous.label,
            "short_label": previous.short_label,
            "values": values(prev, previous),
        },
    }
