"""Chart.js data for one KPI row of a draft, from the live (not yet frozen) figures.

The preview asks for each chart by its own request, so each builds only its own row,
not the whole report: `snapshot.row_figures`, the reads and builders a snapshot uses for a
row's trend and analysis, drawn by `chart_data.row_chart` as the published page's are.
"""

from __future__ import annotations

from .chart_data import row_chart
from .models import KpiRow, Report, Section
from .snapshot import report_periods, row_figures


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
    current, previous = report_periods(report)
    _, trend, analysis = row_figures(
        row.kpi, organisation=report.organisation, current=current, previous=previous
    )
    return row_chart({"trend": trend, "analysis": analysis})
