"""The confirm step of django-import-export's imports, accepting only what its preview issued.

import-export trusts the hidden file name and format the confirm form posts back, so a
forged confirm could import any file in the server's temporary folder. The preview signs
them with the editor's id and the model (`SignedConfirmImportMixin`), and the confirm
step refuses anything else: a file nobody previewed, someone else's preview, or a
glossary preview posted to another model's import.
"""

import os

from django import forms
from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect
from import_export.forms import ConfirmImportForm

CONFIRM_REFUSED = "This confirmation was not issued for this upload or has expired: upload the file again."
UPLOAD_GONE = (
    "The uploaded file is no longer available (it was already imported or has expired): upload it again."
)
CONFIRM_MAX_AGE = 60 * 60  # seconds an editor has to confirm a previewed upload
_SALT = "portal.import-confirm"


def _claims(file_name, file_format, user_pk, model_label) -> dict:
    return {
        "file": os.path.basename(str(file_name)),
        "format": str(file_format),
        "user": user_pk,
        "model": model_label,
    }


class SignedConfirmImportForm(ConfirmImportForm):
    signature = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, user_pk=None, model_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user_pk, self.model_label = user_pk, model_label

    def clean(self):
        cleaned = super().clean()
        try:
            issued = signing.loads(cleaned.get("signature", ""), salt=_SALT, max_age=CONFIRM_MAX_AGE)
        except signing.BadSignature as exc:
            raise forms.ValidationError(CONFIRM_REFUSED) from exc
        posted = (cleaned.get("import_file_name"), cleaned.get("format"))
        if issued != _claims(*posted, self.user_pk, self.model_label):
            raise forms.ValidationError(CONFIRM_REFUSED)
        return cleaned


class SignedConfirmImportMixin:
    """For an import-export ModelAdmin: sign what the preview issued, refuse anything else."""

    confirm_form_class = SignedConfirmImportForm

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        kwargs.update(user_pk=request.user.pk, model_label=self.opts.label_lower)
        return kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            issued = (initial["import_file_name"], initial["format"])
            claims = _claims(*issued, request.user.pk, self.opts.label_lower)
            initial["signature"] = signing.dumps(claims, salt=_SALT)
        return initial

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # A second click on "Confirm", or a preview left open too long.
            messages.error(request, UPLOAD_GONE)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
