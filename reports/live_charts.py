"""Chart.js data for one KPI row of a draft, from the live (not yet frozen) figures.

The preview asks for each chart by its own request, so each builds only its own row,
not the whole report: the same reads and builders `snapshot.build_snapshot` uses for a
row's trend and analysis, drawn by `chart_data.row_chart` as the published page's are.
"""

from __future__ import annotations

from kpis.analysis import row_analysis
from kpis.comparison import compare
from kpis.series import monthly_trend, observations

from .chart_data import row_chart
from .models import KpiRow, Report, Section
from .snapshot import report_periods


def preview_row_chart(report: Report, code: str) -> dict | None:
    """The chart of the report's first performance row for KPI `code`; None without one."""
    row = (
        KpiRow.objects.filter(section__report=report, section__kind=Section.Kind.PERFORMANCE, kpi__code=code)
        .select_related("kpi")
        .order_by("section__position", "section__pk", "position", "pk")
        .first()
    )
    if row is None:
        return None
    kpi, organisation = row.kpi, report.organisation
    current, previous = report_periods(report)
    # One read of each period's observations serves the comparison and the trend.
    rows = (
        observations(kpi=kpi, organisation=organisation, period=current),
        observations(kpi=kpi, organisation=organisation, period=previous),
    )
    comparison = compare(
        kpi=kpi, organisation=organisation, current=current, previous=previous, rows=rows
    ).as_dict()
    trend = monthly_trend(kpi=kpi, organisation=organisation, current=current, previous=previous, rows=rows)
    return row_chart({"trend": trend, "analysis": row_analysis(kpi=kpi, trend=trend, comparison=comparison)})
