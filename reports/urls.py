from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/", views.report_latest, name="latest"),
    path("<slug:slug>/v<int:version>/", views.report_version, name="version"),
]
