"""No lost updates: a staff change form refuses a save made from an out-of-date copy.

Every model staff edit in a change form (a report, a section, a KPI, a glossary term)
carries `edit_version`, a number raised by every save, with who saved it and when. The
admin form carries the number it was opened with as a hidden field; on save, inside the
admin's transaction, the row is locked (`select_for_update`) and the number compared. If
someone saved in between, the form gets an error naming them and the time, the user's
input stays on the page, and nothing is written. The form then carries the current
number, so saving again, after checking the other person's change, is a deliberate
choice to replace it.

Saves that change a row outside its own form (an inline paragraph changes its section,
a section changes its report, an import changes a KPI) call `record_edit` so that a form
opened before them is refused too.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

FIELD = "seen_edit_version"
STALE_FORM = (
    "{name} was changed by {who} at {when}, after you opened this page. Your changes have "
    "not been saved; they are kept below. Open this page again in a new tab to see what "
    "changed, then save here to replace it with yours."
)

NO_VERSION = (
    "This page did not say which version of {name} it was opened on, so saving it could undo "
    "someone else's change. Your changes have not been saved; they are kept below. Check "
    "them and save again."
)


class EditVersioned(models.Model):
    """Adds the edit counter and who last saved the row, and when."""

    edit_version = models.PositiveIntegerField(_("edit version"), default=0, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last changed by"),
    )
    edited_at = models.DateTimeField(_("last changed at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def record_edit(model, pks, *, by) -> int:
    """Raise the edit version of rows changed outside their own form; who and when."""
    return model.objects.filter(pk__in=list(pks)).update(
        edit_version=F("edit_version") + 1,
        edited_by=by if getattr(by, "pk", None) else None,
        edited_at=timezone.now(),
    )


def mark_edited(obj, *, by) -> None:
    """Set the next version on an instance about to be saved (its row locked or new)."""
    obj.edit_version = (obj.edit_version or 0) + 1
    obj.edited_by = by if getattr(by, "pk", None) else None
    obj.edited_at = timezone.now()


def stale_message(current) -> str:
    who = str(current.edited_by) if current.edited_by_id else "an import or another process"
    when = "an unknown time"
    if current.edited_at:
        when = date_format(timezone.localtime(current.edited_at), "j F Y, H:i")
    return STALE_FORM.format(name=f"“{current}”", who=who, when=when)


class EditVersionForm(forms.ModelForm):
    """Carries the version the page was opened with and refuses a save from an older one."""

    seen_edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial[FIELD] = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # The admin validates and saves inside one transaction: the lock taken here is
        # held until this save is written, so two saves cannot both pass the check.
        current = type(self.instance)._default_manager.select_for_update().get(pk=self.instance.pk)
        seen = cleaned.get(FIELD)
        if seen != current.edit_version:
            # Saving again from this page is then a choice made knowing of the change.
            self.data = self.data.copy()
            self.data[self.add_prefix(FIELD)] = str(current.edit_version)
            if seen is None:
                raise forms.ValidationError(NO_VERSION.format(name=f"“{current}”"), code="stale")
            raise forms.ValidationError(stale_message(current), code="stale")
        self.instance.edit_version = current.edit_version
        return cleaned


class EditVersionAdminMixin:
    """For a ModelAdmin whose model is `EditVersioned`: the hidden field, the check, the bump."""

    form = EditVersionForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets  # a read-only page: nothing to save, no version to carry
        *first, (name, options) = fieldsets
        return [*first, (name, {**options, "fields": [*options["fields"], FIELD]})]

    def save_model(self, request, obj, form, change):
        mark_edited(obj, by=request.user)
        super().save_model(request, obj, form, change)
