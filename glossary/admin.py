"""Staff admin for the glossary: editors write terms by hand or import a spreadsheet.

Import and export go through django-import-export's screens (upload, preview, confirm)
with `TermResource`; portal/spreadsheet_safety.py signs the confirm step, and only people
who may both add and change terms can import (view: export).
"""

from django.contrib import admin
from django.utils.text import Truncator
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from portal.edit_versions import EditVersionAdminMixin
from portal.spreadsheet_safety import SafeImportExportAdminMixin

from . import signals
from .linking import GlossaryEntry
from .models import Term
from .resources import TermResource, term_entry


def term_entries(*terms) -> list[GlossaryEntry]:
    """The names under which these terms (None skipped) appear in text, for `terms_changed`."""
    return [term_entry(t) for t in terms if t is not None]


@admin.register(Term)
class TermAdmin(SafeImportExportAdminMixin, EditVersionAdminMixin, ImportExportModelAdmin):
    resource_classes = [TermResource]
    # Spreadsheet formats staff keep; no HTML or JSON exports of user text.
    formats = [base_formats.CSV, base_formats.XLSX, base_formats.ODS]
    list_display = ["term", "abbreviation", "short_definition"]
    list_display_links = ["term"]
    search_fields = ["term", "abbreviation", "definition"]
    ordering = ["term"]
    fields = ["term", "abbreviation", "definition", "slug"]
    readonly_fields = ["slug"]

    @admin.display(description="definition")
    def short_definition(self, obj: Term) -> str:
        return Truncator(obj.definition).chars(90)

    def save_model(self, request, obj, form, change):
        before = Term.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        signals.terms_changed.send(sender=Term, by=request.user, entries=term_entries(before, obj))

    def delete_model(self, request, obj):
        entries = term_entries(obj)
        super().delete_model(request, obj)
        signals.terms_changed.send(sender=Term, by=request.user, entries=entries)

    def delete_queryset(self, request, queryset):
        entries = term_entries(*queryset)
        super().delete_queryset(request, queryset)
        signals.terms_changed.send(sender=Term, by=request.user, entries=entries)

