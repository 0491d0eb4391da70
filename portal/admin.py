from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User

admin.site.site_header = "Performance portal administration"
admin.site.site_title = "Performance portal"
admin.site.index_title = "Reports, KPIs and people"

admin.site.register(User, UserAdmin)


# --------------------------------------------------------------------------- sign-in lockouts
# django-axes lists failed sign-ins under Axes -> Access attempts; deleting a row unlocks
# what it counted. The "Unlock" action says so in plain words (superusers only).
from axes import admin as axes_admin  # noqa: E402  (registers axes' admin first)
from axes.models import AccessAttempt  # noqa: E402
from axes.utils import reset as axes_reset  # noqa: E402


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    actions = [*axes_admin.AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description="Unlock: clear these failed sign-ins", permissions=["delete"])
    def unlock(self, request, queryset):
        cleared = 0
        # Both rules: every failure counted against that username and from that address.
        for username, ip_address in set(queryset.values_list("username", "ip_address")):
            cleared += axes_reset(ip=ip_address, username=username, ip_or_username=True)
        self.message_user(request, f"Unlocked: {cleared} failed sign-in record(s) cleared.")


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
