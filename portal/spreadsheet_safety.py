"""Spreadsheet safety for every import and export screen, in every app: one rule each for
formulas, the confirm step, who may import, and where pending uploads wait.

1. **Formulas.** Every exported text cell a spreadsheet would run as a formula gets a
   leading apostrophe (`neutralise`); every import takes it off again (`unneutralise`), so
   an exported file imports unchanged. The rule (OWASP "CSV Injection", ASVS 5 V1.2.10):

   - a cell is dangerous when its text starts with `=`, `+`, `-`, `@`, tab, carriage
     return, line feed or NUL (`FORMULA_STARTS`). The line feed is there because CSV
     readers turn a carriage return into one, and LibreOffice skips it before a formula;
   - **text that is exactly a plain number** ("-12.5", "+8", "1e3": an optional sign,
     digits, an optional decimal part and exponent, nothing else) is left alone: a
     spreadsheet reads it as that number and runs nothing, and the reader's figures
     (frozen as numeric text) stay numbers for whoever loads the CSV. Anything more
     ("-2+3", "+44 116 222 2222", "-inf", " -1") is neutralised;
   - numbers, dates and None are never text and never altered;
   - text already starting with an apostrophe before a dangerous character ("'=x") gets
     one more, so `unneutralise(neutralise(text)) == text` for every text.

2. **The confirm step.** django-import-export's two-step import trusts the file name and
   format its confirm form posts back. `SignedConfirmImportMixin` signs what the preview
   issued, for this user and this model, for `CONFIRM_MAX_AGE` seconds, and refuses
   anything else; the KPI screens' own flow uses the same `confirm_token` and
   `confirmed_claims`.

3. **Who may import.** An import creates rows and changes them, so it needs the model's
   add *and* change permission; an export needs view (`SpreadsheetPermissionsMixin`,
   `may_import`, `may_export`). The IMPORT_EXPORT_*_PERMISSION_CODE settings are only the
   fallback for a screen that forgets the mixin (tests/portal/test_spreadsheet_screens.py
   checks that none does).

4. **Pending uploads.** A previewed file waits in the default storage under
   `PENDING_DIR` (the shared folder or bucket, so the confirm may reach another web
   machine), named at random; `sweep_pending_uploads` removes those no confirm can use
   any more (Celery beat, `manage.py sweep_import_uploads`, and every new preview).

Every admin screen with an import or export uses `SafeImportExportAdminMixin` (import-export
screens) or the KPI screens' `SpreadsheetAdminMixin`, and every import-export resource
`FormulaSafeResourceMixin`.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.crypto import get_random_string
from import_export.forms import ConfirmImportForm

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- 1. formulas
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
TEXT_MARKER = "'"


def is_plain_number(text: str) -> bool:
    """'-12.5', '+8' or '1e3' is a number a spreadsheet reads as such; '-2+3', ' -1' and
    '-1_000' are not."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def _marked_dangerous(text: str) -> bool:
    """Text that, without its leading apostrophes, starts like a formula."""
    return text.lstrip(TEXT_MARKER).startswith(FORMULA_STARTS)


def neutralise(value):
    """A cell value no spreadsheet will run (module docstring, rule 1); non-text unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not is_plain_number(value):
        return TEXT_MARKER + value
    if value.startswith(TEXT_MARKER) and _marked_dangerous(value):
        return TEXT_MARKER + value
    return value


def unneutralise(value):
    """Undo `neutralise` on import ("'=x" → "=x"); anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(TEXT_MARKER) and _marked_dangerous(value):
        return value[1:]
    return value


class FormulaSafeResourceMixin:
    """For a django-import-export resource: exports neutralised, imports unneutralised.

    Put it before `resources.ModelResource` in the bases. A resource that cleans cells in
    its own `before_import_row` calls super() after, so the apostrophe comes off last.
    """

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, *args, **kwargs):
        return [neutralise(header) for header in super().get_export_headers(*args, **kwargs)]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for column, value in row.items():
            row[column] = unneutralise(value)


# --------------------------------------------------------------------------- 2. the confirm step
CONFIRM_REFUSED = "This confirmation was not issued for this upload or has expired: upload the file again."
UPLOAD_GONE = (
    "The uploaded file is no longer available (it was already imported or has expired): upload it again."
)
CONFIRM_MAX_AGE = 60 * 60  # seconds an editor has to confirm a previewed upload
CONFIRM_SALT = "portal.spreadsheet-safety.confirm"


class ConfirmRefused(Exception):
    """A confirm step that was not issued to this user for this model."""


class ConfirmExpired(ConfirmRefused):
    """A confirm token that is not ours, was altered, or is older than CONFIRM_MAX_AGE."""


def confirm_token(user, opts, claims: dict) -> str:
    """A signed token saying this user previewed `claims` (which upload) on `opts`' model."""
    return signing.dumps({**claims, "user": user.pk, "model": opts.label_lower}, salt=CONFIRM_SALT)


def confirmed_claims(token: str, user, opts) -> dict:
    """The claims `confirm_token` signed, if it issued `token` to `user` for `opts`' model
    less than CONFIRM_MAX_AGE ago; otherwise ConfirmExpired or ConfirmRefused."""
    try:
        claims = signing.loads(token or "", salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise ConfirmExpired from exc
    if not isinstance(claims, dict):
        raise ConfirmRefused
    if claims.get("user") != user.pk or claims.get("model") != opts.label_lower:
        raise ConfirmRefused
    return claims


# The confirm form's hidden fields, all signed: which stored file, which name, format and resource.
CONFIRM_FIELDS = ("import_file_name", "original_file_name", "format", "resource")


def _confirm_form_claims(values: dict) -> dict:
    claims = {name: str(values.get(name) or "") for name in CONFIRM_FIELDS}
    # The form keeps only the base name of the stored file (ConfirmImportForm.clean_import_file_name).
    claims["import_file_name"] = os.path.basename(claims["import_file_name"])
    return claims


class SignedConfirmImportForm(ConfirmImportForm):
    signature = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, user=None, opts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.opts = user, opts

    def clean(self):
        cleaned = super().clean()
        try:
            issued = confirmed_claims(cleaned.get("signature", ""), self.user, self.opts)
        except ConfirmRefused as exc:
            raise forms.ValidationError(CONFIRM_REFUSED) from exc
        posted = _confirm_form_claims(cleaned)
        if {name: issued.get(name) for name in CONFIRM_FIELDS} != posted:
            raise forms.ValidationError(CONFIRM_REFUSED)
        return cleaned


class SignedConfirmImportMixin:
    """For an import-export ModelAdmin: sign what the preview issued and refuse anything
    else; keep the pending file in the shared storage; leave none behind a failed preview."""

    confirm_form_class = SignedConfirmImportForm

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        kwargs.update(user=request.user, opts=self.opts)
        return kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            initial["signature"] = confirm_token(request.user, self.opts, _confirm_form_claims(initial))
        return initial

    def get_tmp_storage_class_kwargs(self):
        # import-export's MediaStorage (settings.IMPORT_EXPORT_TMP_STORAGE_CLASS) files them here.
        return {**super().get_tmp_storage_class_kwargs(), "MEDIA_FOLDER": PENDING_DIR}

    def write_to_tmp_storage(self, import_file, input_format):
        sweep_pending_uploads()
        return super().write_to_tmp_storage(import_file, input_format)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        # import-export names the stored copy on the uploaded file itself.
        stored = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if stored and context.get("confirm_form") is None:
            # The preview found problems: nothing can confirm this file, so it goes now.
            storage = self.get_tmp_storage_class()(name=stored, **self.get_tmp_storage_class_kwargs())
            try:
                storage.remove()
            except FileNotFoundError:
                pass
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # A second click on "Confirm", or a preview left open until the sweep.
            messages.error(request, UPLOAD_GONE)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")


# --------------------------------------------------------------------------- 3. who may import
def may_import(user, opts) -> bool:
    """Importing creates rows and changes rows: both permissions on the model."""
    return user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def may_export(user, opts) -> bool:
    """Exporting shows rows: the view permission (which change implies, as in the admin)."""
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


class SpreadsheetPermissionsMixin:
    """For a ModelAdmin with import or export screens: `may_import` and `may_export`.

    django-import-export's own check asks for one permission code only
    (IMPORT_EXPORT_IMPORT_PERMISSION_CODE), which would let someone who may only change
    rows create new ones through an import.
    """

    def has_import_permission(self, request):
        return may_import(request.user, self.opts)

    def has_export_permission(self, request):
        return may_export(request.user, self.opts)


class SafeImportExportAdminMixin(SignedConfirmImportMixin, SpreadsheetPermissionsMixin):
    """Everything an import-export ModelAdmin needs from this module; put it first in the bases."""


# --------------------------------------------------------------------------- 4. pending uploads
PENDING_DIR = "imports/pending"
# Kept a little longer than a confirm can be used, so a confirm just in time still finds it.
PENDING_GRACE = timedelta(seconds=60)


def pending_upload_save(content: bytes, extension: str = "") -> str:
    """Store a previewed upload under a random name (never the uploader's); returns its name."""
    sweep_pending_uploads()
    suffix = f".{extension.lower()}" if extension else ""
    return default_storage.save(f"{PENDING_DIR}/{get_random_string(32)}{suffix}", ContentFile(content))


def sweep_pending_uploads(*, now=None, storage=None) -> list[str]:
    """Delete the pending uploads no confirm can use any more; returns their names."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - timedelta(seconds=CONFIRM_MAX_AGE) - PENDING_GRACE
    removed = []
    try:
        _folders, files = storage.listdir(PENDING_DIR)
        for name in files:
            stored = f"{PENDING_DIR}/{name}"
            if storage.get_modified_time(stored) < cutoff:
                storage.delete(stored)
                removed.append(stored)
    except FileNotFoundError:
        pass  # nothing uploaded yet
    except (NotImplementedError, OSError) as exc:
        # A storage that cannot list: its own lifecycle rules must expire the folder.
        log.warning("Pending imports in %s could not be swept: %s", PENDING_DIR, exc)
    return removed
