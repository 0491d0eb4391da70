"""Staff admin for the KPI catalogue, observations and their history, and imports.

Imports use django-import-export's admin shell (its Import button, URLs, permission
check and page layout) with our own two steps, because every file must go through the
one checked path in kpis/imports/: upload → preview (a dry run: counts and every
problem) → confirm (the stored upload, named in a token signed for this editor and this
model, is imported for real). The token, the permission rule and the pending-upload store
are the ones every spreadsheet screen uses: portal/spreadsheet_safety.py.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin

from portal.edit_versions import EditVersionAdminMixin
from portal.spreadsheet_safety import (
    ConfirmExpired,
    ConfirmRefused,
    SpreadsheetPermissionsMixin,
    confirm_token,
    confirmed_claims,
    pending_upload_save,
)

from . import exporting, imports, signals
from .admin_national import NationalMappingInline
from .formatting import format_value
from .models import ImportBatch, Kpi, Observation, ObservationChange, Organisation

PREVIEW_EXPIRED = "The preview has expired or is not valid: upload the file again."
UPLOAD_CHANGED = "The uploaded file is no longer available: upload it again."
NOTHING_TO_CONFIRM = "Nothing to confirm: upload a file first."
ORGANISATION_GONE = "The organisation chosen for this import no longer exists: upload the file again."


class SpreadsheetImportForm(forms.Form):
    import_file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx, .ods or .csv file in one of the layouts below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )
    sheet = forms.CharField(
        label=_("Sheet name"),
        required=False,
        max_length=100,
        help_text=_("Leave blank to read the first sheet of a workbook."),
    )


class ObservationImportForm(SpreadsheetImportForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_(
            "Whose figures these are, when the file has no organisation column (or a blank cell "
            "in it). Blank: the home force."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        home = Organisation.objects.filter(is_home=True).first()
        if home is not None:
            self.fields["organisation"].initial = home.pk


class SpreadsheetAdminMixin(SpreadsheetPermissionsMixin, ImportMixin):
    """Import (preview, confirm), import templates and export for one kind of spreadsheet."""

    import_kind: str = ""  # imports.CATALOGUE or imports.OBSERVATIONS
    import_form_class = SpreadsheetImportForm
    template_layouts: tuple[str, ...] = ()
    import_template_name = "admin/kpis/import.html"
    import_export_change_list_template = "admin/kpis/change_list_import_export.html"

    # Permissions from SpreadsheetPermissionsMixin: import needs add and change, export view.

    def get_urls(self):
        urls = [
            path(
                "import/template/<str:layout>.<str:fmt>",
                self.admin_site.admin_view(self.template_view),
                name=self._url_name("import_template"),
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name=self._url_name("export"),
            ),
        ]
        return urls + super().get_urls()

    def _url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_export_permission": self.has_export_permission(request),
            "export_formats": exporting.EXPORT_FORMATS,
        }
        return super().changelist_view(request, extra_context)

    # ---- step 1: upload and preview
    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.import_form_class(request.POST or None, request.FILES or None)
        outcome = token = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            sheet = form.cleaned_data["sheet"]
            organisation = form.cleaned_data.get("organisation")
            name = upload.name
            if upload.size > settings.IMPORT_MAX_FILE_BYTES:
                outcome = imports.oversize_outcome(file_name=name, size=upload.size)
            else:
                content = upload.read()
                outcome = imports.spreadsheet_import(
                    content=content,
                    file_name=name,
                    sheet=sheet,
                    kind=self.import_kind,
                    dry_run=True,
                    organisation=organisation,
                )
                if outcome.ok:
                    token = self._store_upload(
                        request, content=content, outcome=outcome, sheet=sheet, organisation=organisation
                    )
        return self._render(request, form=form, outcome=outcome, token=token)

    # ---- step 2: confirm
    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            data = confirmed_claims(request.POST.get("token", ""), request.user, self.opts)
        except ConfirmExpired:
            messages.error(request, PREVIEW_EXPIRED)
            return HttpResponseRedirect(reverse(f"admin:{self._url_name('import')}"))
        except ConfirmRefused:
            raise PermissionDenied from None  # someone else's preview, or another model's
        if data.get("kind") != self.import_kind or not data.get("path"):
            raise PermissionDenied
        try:
            with default_storage.open(data["path"], "rb") as stored:
                content = stored.read()
        except (FileNotFoundError, OSError):
            messages.error(request, UPLOAD_CHANGED)
            return HttpResponseRedirect(reverse(f"admin:{self._url_name('import')}"))
        default_storage.delete(data["path"])  # one confirm per preview
        if hashlib.sha256(content).hexdigest() != data.get("sha256"):
            raise PermissionDenied  # the stored file is not the one previewed
        organisation = None
        if data.get("organisation"):
            organisation = Organisation.objects.filter(pk=data["organisation"]).first()
            if organisation is None:
                messages.error(request, ORGANISATION_GONE)
                return HttpResponseRedirect(reverse(f"admin:{self._url_name('import')}"))
        outcome = imports.spreadsheet_import(
            content=content,
            file_name=data["name"],
            sheet=data.get("sheet") or None,
            kind=self.import_kind,
            user=request.user,
            organisation=organisation,
        )
        if not outcome.written:
            # The data changed between preview and confirm: show what is wrong now.
            return self._render(request, form=self.import_form_class(), outcome=outcome, token=None)
        # Not the file name first: the admin capitalises a message's first letter.
        messages.success(request, _("Imported %(summary)s") % {"summary": outcome.summary()})
        return HttpResponseRedirect(reverse(f"admin:{self._url_name('changelist')}"))

    def _store_upload(self, request, *, content: bytes, outcome, sheet: str, organisation=None) -> str:
        # A random name chosen by the store, never the uploader's: the token only says which one.
        stored = pending_upload_save(content, outcome.file_name.rsplit(".", 1)[-1])
        claims = {
            "path": stored,
            "name": outcome.file_name,
            "sha256": outcome.sha256,
            "sheet": sheet,
            "organisation": organisation.pk if organisation else None,
            "kind": self.import_kind,
        }
        return confirm_token(request.user, self.opts, claims)

    def _render(self, request, *, form, outcome, token):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "form": form,
            "outcome": outcome,
            "token": token,
            "kind": self.import_kind,
            "templates": [
                {
                    "layout": layout,
                    "links": [
                        (fmt, reverse(f"admin:{self._url_name('import_template')}", args=[layout, fmt]))
                        for fmt in exporting.EXPORT_FORMATS
                    ],
                }
                for layout in self.template_layouts
            ],
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_mb": settings.IMPORT_MAX_FILE_BYTES / 1024 / 1024,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    # ---- templates and export
    def template_view(self, request, layout: str, fmt: str):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if layout not in self.template_layouts or fmt not in exporting.EXPORT_FORMATS:
            raise Http404
        body = exporting.import_template(layout=layout, fmt=fmt)
        return _download(body, fmt, f"{layout}-template.{fmt}")

    def export_view(self, request, fmt: str):
        if not self.has_export_permission(request):
            raise PermissionDenied
        if fmt not in exporting.EXPORT_FORMATS:
            raise Http404
        try:
            # The change list's own queryset, so an export honours the search and filters shown.
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            raise Http404 from None
        return _download(self.export_bytes(queryset, fmt), fmt, f"{self.opts.model_name}s.{fmt}")

    def export_bytes(self, queryset, fmt: str) -> bytes:
        raise NotImplementedError


def _download(body: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=exporting.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin.register(Kpi)
class KpiAdmin(EditVersionAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.CATALOGUE
    template_layouts = ("catalogue",)
    list_display = ("code", "name", "category", "unit", "aggregation", "good_direction", "decimals")
    list_filter = ("category", "unit", "aggregation", "good_direction")
    search_fields = ("code", "name", "category", "aliases")
    filter_horizontal = ("glossary_terms",)
    inlines = [NationalMappingInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            signals.catalogue_changed.send(sender=Kpi, by=request.user, kpi_ids={obj.pk})

    def export_bytes(self, queryset, fmt):
        return exporting.catalogue_export(queryset=queryset, fmt=fmt)


class ObservationChangeInline(admin.TabularInline):
    """An observation's history, newest first; written only by imports and saves."""

    model = ObservationChange
    fields = ("changed_at", "old_value", "new_value", "changed_by", "batch")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.OBSERVATIONS
    import_form_class = ObservationImportForm
    template_layouts = (imports.LONG, imports.WIDE)
    list_display = (
        "kpi", "organisation", "period_start", "period_end", "shown_value", "source", "updated_at"
    )
    list_filter = ("kpi__category", "organisation", "period_start")
    list_select_related = ("kpi", "organisation", "source")
    search_fields = ("kpi__code", "kpi__name")
    date_hierarchy = "period_start"
    # The browser's own date field works from the keyboard; the admin's calendar pop-up does not.
    formfield_overrides = {
        models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
    }
    autocomplete_fields = ("kpi",)
    readonly_fields = ("source", "updated_at")
    inlines = [ObservationChangeInline]

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, obj) -> str:
        """As the report prints it (9,822; 72.4%; 1m 05s), not the stored 9822.0000."""
        return format_value(obj.value, obj.kpi.unit, obj.kpi.decimals)

    def save_model(self, request, obj, form, change):
        imports.observation_save(observation=obj, by=request.user)

    def delete_model(self, request, obj):
        imports.observations_delete(Observation.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        imports.observations_delete(queryset, by=request.user)

    def export_bytes(self, queryset, fmt):
        return exporting.observations_export(queryset=queryset, fmt=fmt)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every import, read-only: where each figure came from."""

    list_display = (
        "created_at",
        "kind",
        "organisation",
        "layout",
        "file_name",
        "imported_by",
        "rows_new",
        "rows_changed",
        "rows_unchanged",
    )
    list_filter = ("kind", "organisation", "layout", "imported_by")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("imported_by", "organisation")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_peers  # noqa: E402, F401  forces, peer groups and populations (issue 9)
