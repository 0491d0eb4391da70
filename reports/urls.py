from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/", views.report_latest, name="latest"),
    path("<slug:slug>/v<int:version>/", views.report_version, name="version"),
    path("<slug:slug>/v<int:version>/report.pdf", views.download_pdf, name="pdf"),
    path("<slug:slug>/v<int:version>/data.csv", views.download_csv, name="csv"),
    path("<slug:slug>/v<int:version>/data.json", views.download_json, name="json"),
    path("<slug:slug>/v<int:version>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/v<int:version>/changes/", views.version_changes, name="changes"),
    path(
        "<slug:slug>/v<int:version>/changes/previous-period/",
        views.previous_period_changes,
        name="period_changes",
    ),
    path(
        "<slug:slug>/v<int:version>/charts/<str:code>.json",
        views.ReportChartView.as_view(),
        name="chart",
    ),
]
