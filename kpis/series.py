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


def monthly_values(*, kpi, organisation, period: Period) -> dict[date, Decimal]:
    """{first of month: value} for the calendar-month observations inside the period."""
    from .models import Observation

    # order_by(): the model's default ordering joins KPI and organisation for nothing.
    rows = (
        Observation.objects.order_by()
        .filter(
            kpi=kpi,
            organisation=organisation,
            period_start__gte=period.start,
            period_end__lte=period.end,
        )
        .values_list("period_start", "period_end", "value")
    )
    return {start: value for start, end, value in rows if start.day == 1 and end == month_end(start)}


def period_value(*, kpi, organisation, period: Period) -> PeriodValue:
    """The KPI's value over the period, or None with a note saying why there is none."""
    from .models import Observation

    months = period.months()
    found = monthly_values(kpi=kpi, organisation=organisation, period=period)
    if len(found) == len(months):
        values = [found[m] for m in months]
        return PeriodValue(period, _aggregate(values, kpi.aggregation), len(months), len(months), "months")

    stated = (
        Observation.objects.order_by()
        .filter(kpi=kpi, organisation=organisation, period_start=period.start, period_end=period.end)
        .values_list("value", flat=True)
        .first()
    )
    if stated is not None:
        return PeriodValue(period, stated, len(months), len(found), "stated")

    if kpi.aggregation == "last":
        # An "as at" snapshot: the latest observation that ends inside the period.
        latest = (
            Observation.objects.filter(
                kpi=kpi,
                organisation=organisation,
                period_end__gte=period.start,
                period_end__lte=period.end,
            )
            .order_by("-period_end")
            .values_list("value", "period_start", "period_end")
            .first()
        )
        if latest is not None:
            value, start, as_at = latest
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
        f"{period.label} is incomplete: {len(missing)} of {len(months)} months have no figure "
        f"({names}{more}), so no total is shown.",
    )


def monthly_trend(*, kpi, organisation, current: Period, previous: Period) -> dict:
    """Monthly values of both periods aligned month by month (April to March for a year).

    Returns a JSON-safe dict, the one shape that web charts, PDF charts and frozen
    publications all read.
    """
    cur = monthly_values(kpi=kpi, organisation=organisation, period=current)
    prev = monthly_values(kpi=kpi, organisation=organisation, period=previous)

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
