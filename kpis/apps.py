from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The national files' layouts join the import registry (kpis/imports/registry.py),
        # and the catalogue's national_rows column its columns (catalogue_columns.py); they
        # need the models, so they are registered once the app registry is ready.
        from .national import catalogue_column, layouts  # noqa: F401
