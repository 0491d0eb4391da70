from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("<str:code>/chart/", views.KpiChartView.as_view(), name="chart"),
]
