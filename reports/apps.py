from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Shared content edited elsewhere makes its editor a contributor of the open
        # drafts it reaches (reports.contributions); kpis and glossary only send.
        from glossary import signals as glossary_signals
        from kpis import signals as kpi_signals

        from . import contributions

        kpi_signals.catalogue_changed.connect(contributions.on_catalogue_changed, dispatch_uid="reports-kpis")
        kpi_signals.observations_changed.connect(
            contributions.on_observations_changed, dispatch_uid="reports-observations"
        )
        kpi_signals.peers_changed.connect(contributions.on_peers_changed, dispatch_uid="reports-peers")
        glossary_signals.terms_changed.connect(
            contributions.on_terms_changed, dispatch_uid="reports-glossary"
        )
