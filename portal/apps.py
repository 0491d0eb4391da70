from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    from .roles import sync_roles

    sync_roles(using=using)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Once per migrate run (sender=this app), after every app's tables exist.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="portal-roles")
        from .two_factor import remember_need_at_sign_in

        user_logged_in.connect(remember_need_at_sign_in, dispatch_uid="portal-two-factor-need")
