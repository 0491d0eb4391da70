from django.contrib import admin
from django.urls import include, path

from . import signin, two_factor_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # Before django.contrib.auth.urls, so these answer at the same addresses.
    path("accounts/password_reset/", signin.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/two-factor/", two_factor_views.status, name="two_factor"),
    path("accounts/two-factor/enrol/", two_factor_views.enrol, name="two_factor_enrol"),
    path("accounts/two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.renew_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("kpis/", include("kpis.urls")),
    path("reports/", include("reports.urls")),
]
