"""Staff admin for the KPI catalogue, observations and their history, and imports."""

from django.contrib import admin

from .models import Kpi


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "unit", "aggregation", "good_direction", "decimals")
    list_filter = ("category", "unit", "aggregation", "good_direction")
    search_fields = ("code", "name", "category")
    filter_horizontal = ("glossary_terms",)


from . import admin_peers  # noqa: E402, F401  forces, peer groups and populations (issue 9)
