"""Chart.js data for a report's trend charts, from a snapshot: the one builder behind the
published page's charts and the editor's preview, so both draw the same lines (the two
periods, and the SPC mean and process limits the caption describes)."""

from kpis.charts import SPC_COLOUR, SPC_LINES, trend_chart_data

SPC_DATASET_STYLE = {
    "borderColor": SPC_COLOUR,
    "backgroundColor": SPC_COLOUR,
    "borderWidth": 1,
    "pointRadius": 0,
    "pointHitRadius": 0,
    "pointStyle": "line",
    "fill": False,
    "tension": 0,
    "spanGaps": True,
}


def spc_datasets(spc: dict, points: int) -> list[dict]:
    """Thin grey Chart.js datasets (flat lines) for an SPC reading's mean and process limits."""
    return [
        {"label": label, "data": [float(spc[key])] * points, "borderDash": dash, **SPC_DATASET_STYLE}
        for key, label, dash in SPC_LINES
        if spc.get(key) is not None
    ]


def row_chart(row: dict) -> dict:
    """One KPI row's chart: both periods by month, with the SPC lines when there are any."""
    chart = trend_chart_data(row["trend"])
    spc = row["analysis"]["spc"]
    if spc:
        chart["data"]["datasets"].extend(spc_datasets(spc, len(row["trend"]["labels"])))
    return chart


def report_charts(snapshot: dict) -> dict[str, dict]:
    """Chart.js data for every KPI row with a trend, by KPI code, SPC lines included."""
    charts = {}
    for section in snapshot["sections"]:
        for row in section["rows"]:
            if row["trend"] and row["kpi"]["code"] not in charts:
                charts[row["kpi"]["code"]] = row_chart(row)
    return charts
