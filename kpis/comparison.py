"""A KPI over one period against another: values, volume change, % change.

Honest about gaps: a period with months missing, or a previous value of zero, yields a
comparison that says so (`note`) instead of a wrong or infinite figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .formatting import NO_FIGURE, format_change, format_percent_change, format_value
from .periods import Period
from .series import PeriodValue, period_value

PREVIOUS_ZERO = "No % change: the previous value was zero."
NO_PREVIOUS = "No comparison: there is no figure for the previous period."
NO_CURRENT = "No figure for this period yet."
NO_FIGURES = "No figures for {current} or {previous} yet."


@dataclass
class Comparison:
    """Everything one row of a KPI table shows, as numbers and as printed text."""

    current: PeriodValue
    previous: PeriodValue
    unit: str
    decimals: int
    change: Decimal | None = None
    percent_change: Decimal | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def current_display(self) -> str:
        return format_value(self.current.value, self.unit, self.decimals)

    @property
    def previous_display(self) -> str:
        return format_value(self.previous.value, self.unit, self.decimals)

    @property
    def change_display(self) -> str:
        return format_change(self.change, self.unit, self.decimals)

    @property
    def percent_change_display(self) -> str:
        # A change in a percentage is given in points (see change_display), not as a %.
        if self.unit == "percent":
            return NO_FIGURE
        return format_percent_change(self.percent_change)

    def as_dict(self) -> dict:
        """JSON-safe form, frozen into a publication."""

        def num(d):
            return None if d is None else str(d)

        return {
            "current": self.current.as_dict(),
            "previous": self.previous.as_dict(),
            "change": num(self.change),
            "percent_change": num(self.percent_change),
            "current_display": self.current_display,
            "previous_display": self.previous_display,
            "change_display": self.change_display,
            "percent_change_display": self.percent_change_display,
            "notes": list(self.notes),
        }


def compare_values(current: PeriodValue, previous: PeriodValue, *, unit: str, decimals: int) -> Comparison:
    """Each gap is said once: one sentence for a row with no figures at all, otherwise the
    period's own note (which names what is missing) or a plain one when it has none."""
    comp = Comparison(current=current, previous=previous, unit=unit, decimals=decimals)
    if _empty(current) and _empty(previous):
        comp.notes.append(NO_FIGURES.format(current=current.period.label, previous=previous.period.label))
        return comp
    if current.note:
        comp.notes.append(current.note)
    if previous.note and (previous.value is not None or current.value is None):
        comp.notes.append(previous.note)  # with no current value, the next lines stop here
    if current.value is None:
        if not current.note:
            comp.notes.append(NO_CURRENT)
        return comp
    if previous.value is None:
        reason = previous.note
        comp.notes.append(f"No comparison: {reason[0].lower()}{reason[1:]}" if reason else NO_PREVIOUS)
        return comp
    if not current.complete or not previous.complete:
        # Comparing a part-period with a whole one would print a misleading change.
        return comp
    comp.change = current.value - previous.value
    if previous.value == 0:
        comp.notes.append(PREVIOUS_ZERO)
    else:
        comp.percent_change = comp.change / abs(previous.value) * 100
    return comp


def _empty(value: PeriodValue) -> bool:
    return value.value is None and value.months_present == 0 and value.source == "none"


def compare(*, kpi, organisation, current: Period, previous: Period, rows=None) -> Comparison:
    """Compare a KPI's value over `current` with `previous` for one organisation.

    `rows` is (current, previous) `series.observations(...)` when already read.
    """
    current_rows, previous_rows = rows or (None, None)
    return compare_values(
        period_value(kpi=kpi, organisation=organisation, period=current, rows=current_rows),
        period_value(kpi=kpi, organisation=organisation, period=previous, rows=previous_rows),
        unit=kpi.unit,
        decimals=kpi.decimals,
    )
