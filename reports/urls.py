from django.urls import path

from . import downloads, views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/", views.report_latest, name="latest"),
    path("<slug:slug>/v<int:version>/", views.report_version, name="version"),
    path("<slug:slug>/v<int:version>/report.pdf", downloads.download_pdf, name="pdf"),
    path("<slug:slug>/v<int:version>/data.csv", downloads.download_csv, name="csv"),
    path("<slug:slug>/v<int:version>/data.json", downloads.download_json, name="json"),
    path("<slug:slug>/v<int:version>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/v<int:version>/changes/", views.version_changes, name="changes"),
    path(
        "<slug:slug>/v<int:version>/changes/previous-period/",
        views.previous_period_changes,
        name="period_changes",
    ),
    path(
        "<slug:slug>/v<int:version>/charts/<str:code>.json",
        downloads.ReportChartView.as_view(),
        name="chart",
    ),
]
