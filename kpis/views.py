"""Chart.js data for a KPI's monthly trend (django-chartjs views)."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404

from .charts import PortalLineChartView, trend_chart_data
from .models import Kpi, Organisation
from .periods import Period
from .series import monthly_trend


class KpiChartView(PortalLineChartView):
    """/kpis/<code>/chart/?year=2018: this financial year against the one before."""

    def get(self, request, *args, **kwargs):
        year = request.GET.get("year", "")
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            return HttpResponseBadRequest("year must be the financial year's first year, e.g. 2018")
        self.kpi = get_object_or_404(Kpi, code=kwargs["code"])
        org = Organisation.objects.filter(is_home=True).first()
        if org is None:
            raise Http404("no home organisation")
        current = Period.financial_year(int(year))
        self.trend = monthly_trend(
            kpi=self.kpi, organisation=org, current=current, previous=current.same_period_last_year()
        )
        return super().get(request, *args, **kwargs)

    def get_chart(self) -> dict:
        return trend_chart_data(self.trend)
