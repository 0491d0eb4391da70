"""Staff admin for forces, peer groups and populations, with spreadsheet import (issue 9).

Imported from kpis/admin.py. Editors keep the Most Similar Forces, regional and national
groups here; a report's KPI row then names a group to show the force's rank within it.
Import needs the model's add and change permissions, export its view permission, and the
confirm step is signed (portal/spreadsheet_safety.py).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin, ImportMixin
from import_export.formats.base_formats import CSV, ODS, XLSX

from portal.spreadsheet_safety import SafeImportExportAdminMixin

from . import signals
from .models import Organisation, PeerGroup, Population
from .resources_peers import OrganisationResource, PeerMembershipResource, PopulationResource

NO_HOME_FORCE = _(
    "No organisation is the home force yet. Tick the force this portal reports on and choose "
    "the action “Make the selected organisation the home force”."
)
NO_HOME_FORCE_ASK_ADMIN = _(
    "No organisation is the home force yet: ask an administrator to choose it (Organisations, "
    "action “Make the selected organisation the home force”)."
)

# The formats the import screens offer: no legacy .xls, no JSON/YAML/HTML.
IMPORT_FORMATS = [CSV, XLSX, ODS]
EXPORT_FORMATS = [CSV, XLSX]


class PeersChangedAdminMixin:
    """Saves and deletes here change what open drafts show (a force's name, a peer rank, a
    rate): `signals.peers_changed` names the forces and groups touched, before and after."""

    def peers_touched(self, obj) -> tuple[set, set]:
        raise NotImplementedError

    def _send(self, request, objs) -> None:
        organisation_ids, peer_group_ids = set(), set()
        for obj in objs:
            orgs, groups = self.peers_touched(obj)
            organisation_ids |= orgs
            peer_group_ids |= groups
        signals.peers_changed.send(
            sender=self.model,
            by=request.user,
            organisation_ids=organisation_ids,
            peer_group_ids=peer_group_ids,
        )

    def save_model(self, request, obj, form, change):
        before = self.model.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self._send(request, [o for o in (before, obj) if o is not None])

    def delete_model(self, request, obj):
        self._send(request, [obj])  # first: what the row reached is gone after the delete
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._send(request, list(queryset))
        super().delete_queryset(request, queryset)


@admin.register(Organisation)
class OrganisationAdmin(SafeImportExportAdminMixin, PeersChangedAdminMixin, ImportExportModelAdmin):
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    resource_classes = [OrganisationResource]
    list_display = ("name", "code", "is_home")
    list_filter = ("is_home",)
    search_fields = ("name", "code", "other_names")
    actions = ["make_home"]

    def changelist_view(self, request, extra_context=None):
        # The forces are loaded with none of them home: choosing it is a set-up step.
        if request.method == "GET" and not Organisation.objects.filter(is_home=True).exists():
            message = NO_HOME_FORCE if request.user.is_superuser else NO_HOME_FORCE_ASK_ADMIN
            self.message_user(request, message, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        # Which force the portal reports on is a set-up decision, not an everyday edit.
        if request.user.is_superuser:
            return ()
        return ("is_home",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("make_home", None)
        return actions

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "code" and field is not None:
            # Made from the name on save when left blank (the admin's as-you-type copy of
            # the name garbled the code as soon as someone typed into it).
            field.required = False
            field.help_text = _("Short identifier used in spreadsheets; blank: made from the name.")
        return field

    def save_model(self, request, obj, form, change):
        if not obj.code:
            obj.code = Organisation.code_from_name(obj.name, exclude_pk=obj.pk)
        super().save_model(request, obj, form, change)

    def peers_touched(self, obj):
        return {obj.pk}, set()

    @admin.action(description=_("Make the selected organisation the home force"))
    def make_home(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one organisation to be the home force."), messages.ERROR
            )
            return
        chosen = queryset.get()
        previous = Organisation.make_home(chosen)
        self.message_user(
            request,
            _("%(new)s is now the home force (it was %(old)s). New imports without an organisation "
              "column, and new reports, use it.") % {"new": chosen, "old": previous or _("not set")},
            messages.SUCCESS,
        )


@admin.register(PeerGroup)
class PeerGroupAdmin(SafeImportExportAdminMixin, PeersChangedAdminMixin, ImportMixin, admin.ModelAdmin):
    import_formats = IMPORT_FORMATS
    resource_classes = [PeerMembershipResource]
    list_display = ("name", "kind", "member_count")
    list_filter = ("kind",)
    search_fields = ("name", "members__name")
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj) -> int:
        return obj._member_count

    def peers_touched(self, obj):
        return set(), {obj.pk}


@admin.register(Population)
class PopulationAdmin(SafeImportExportAdminMixin, PeersChangedAdminMixin, ImportExportModelAdmin):
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    resource_classes = [PopulationResource]
    list_display = ("organisation", "year", "population", "source")
    list_filter = ("year",)
    search_fields = ("organisation__name", "organisation__code")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)

    def peers_touched(self, obj):
        return {obj.organisation_id}, set()
