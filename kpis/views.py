"""Chart.js data for a KPI's monthly trend (django-chartjs views).

These are the live figures, before any review: only staff who may see observations get
them. Readers see a published report's charts from its frozen figures instead.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404

from .charts import PortalLineChartView, trend_chart_data
from .models import Kpi, Organisation
from .periods import Period
from .series import monthly_trend


class KpiChartView(PortalLineChartView):
    """/kpis/<code>/chart/?year=2018: this financial year against the one before."""

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("kpis.view_observation"):
            raise PermissionDenied
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
