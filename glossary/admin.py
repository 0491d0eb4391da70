"""Staff admin for the glossary: editors write terms by hand or import a spreadsheet.

Import and export go through django-import-export's screens (upload, preview, confirm)
with `TermResource`; only people who may both add and change terms can import.
"""

import os

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.shortcuts import redirect
from django.utils.text import Truncator
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm

from portal.edit_versions import EditVersionAdminMixin

from . import signals
from .linking import GlossaryEntry
from .models import Term
from .resources import TermResource, term_entry

CONFIRM_REFUSED = "This confirmation was not issued for this upload or has expired: upload the file again."
UPLOAD_GONE = (
    "The uploaded file is no longer available (it was already imported or has expired): upload it again."
)
CONFIRM_MAX_AGE = 60 * 60  # seconds an editor has to confirm a previewed upload
_SALT = "glossary.admin.import-confirm"


class SignedConfirmImportForm(ConfirmImportForm):
    """The confirm step, accepting only the stored upload and format its preview issued.

    import-export trusts the hidden file name and format it posts back; signing them
    (with the editor's id) stops a forged confirm from importing some other file.
    """

    signature = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, user_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_pk = user_pk

    def clean(self):
        cleaned = super().clean()
        try:
            issued = signing.loads(cleaned.get("signature", ""), salt=_SALT, max_age=CONFIRM_MAX_AGE)
        except signing.BadSignature as exc:
            raise forms.ValidationError(CONFIRM_REFUSED) from exc
        if issued != _confirm_claims(cleaned.get("import_file_name"), cleaned.get("format"), self.user_pk):
            raise forms.ValidationError(CONFIRM_REFUSED)
        return cleaned


def _confirm_claims(file_name, file_format, user_pk) -> dict:
    return {"file": os.path.basename(str(file_name)), "format": str(file_format), "user": user_pk}


def term_entries(*terms) -> list[GlossaryEntry]:
    """The names under which these terms (None skipped) appear in text, for `terms_changed`."""
    return [term_entry(t) for t in terms if t is not None]


@admin.register(Term)
class TermAdmin(EditVersionAdminMixin, ImportExportModelAdmin):
    resource_classes = [TermResource]
    # Spreadsheet formats staff keep; no HTML or JSON exports of user text.
    formats = [base_formats.CSV, base_formats.XLSX, base_formats.ODS]
    confirm_form_class = SignedConfirmImportForm
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

    def has_import_permission(self, request):
        # An import both creates and updates terms.
        return super().has_import_permission(request) and request.user.has_perm("glossary.add_term")

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        kwargs["user_pk"] = request.user.pk
        return kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            claims = _confirm_claims(initial["import_file_name"], initial["format"], request.user.pk)
            initial["signature"] = signing.dumps(claims, salt=_SALT)
        return initial

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # A second click on "Confirm", or a preview left open too long.
            messages.error(request, UPLOAD_GONE)
            return redirect("admin:glossary_term_import")
