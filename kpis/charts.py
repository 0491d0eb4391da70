"""Chart.js configuration for trend charts, built from `series.monthly_trend` output.

The reference report's convention is kept (previous year blue, current year red), and the
lines also differ by dash and point marker so colour is never the only cue. The same
colours, dashes and markers are used by the server-side SVG charts in the PDF.
"""

from chartjs.views.lines import BaseLineOptionsChartView

PREVIOUS_STYLE = {"colour": "#1f4e9c", "dash": [6, 4], "marker": "rect"}
CURRENT_STYLE = {"colour": "#c0392b", "dash": [], "marker": "circle"}
# Statistical process control lines (kpis.analysis "spc": mean, upper, lower), thin and grey.
# Making Data Count calls the limits "process limits".
SPC_COLOUR = "#6f777b"
SPC_LINES = (
    ("mean", "Mean", []),
    ("upper", "Upper process limit", [2, 3]),
    ("lower", "Lower process limit", [2, 3]),
)


def trend_chart_data(trend: dict) -> dict:
    """Chart.js 4 `{data, options}` for a trend dict (see series.monthly_trend)."""

    def dataset(series: dict, style: dict) -> dict:
        return {
            "label": series["label"],
            "data": series["values"],
            "borderColor": style["colour"],
            "backgroundColor": style["colour"],
            "borderDash": style["dash"],
            "pointStyle": style["marker"],
            "pointRadius": 4,
            "borderWidth": 2,
            "spanGaps": False,
            "tension": 0,
        }

    kpi = trend["kpi"]
    return {
        "data": {
            "labels": trend["labels"],
            "datasets": [
                dataset(trend["previous"], PREVIOUS_STYLE),
                dataset(trend["current"], CURRENT_STYLE),
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {
                "legend": {"labels": {"usePointStyle": True}},
                "title": {"display": False, "text": f"{kpi['code']} {kpi['name']}"},
            },
            "scales": {"y": {"beginAtZero": kpi["unit"] == "count"}},
        },
        "meta": {"unit": kpi["unit"], "decimals": kpi["decimals"]},
    }


class PortalLineChartView(BaseLineOptionsChartView):
    """django-chartjs's JSON view without its internals.

    Its TemplateView base puts the view object itself into the context, and the JSON
    encoder then prints the view's repr into the response; we send only the chart.
    Subclasses implement get_chart() returning trend_chart_data(...).
    """

    def get_chart(self) -> dict:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return self.get_chart()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context)
        response["Cache-Control"] = "no-cache"
        response["X-Content-Type-Options"] = "nosniff"
        return response
