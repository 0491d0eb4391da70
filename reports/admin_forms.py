"""How the report admin's forms behave: what they fill in when an editor leaves it blank,
and names for fields that have no visible label of their own.

- New sections, KPI rows and paragraphs go after the last one unless the editor says
  otherwise: their 'order' box starts blank, and a blank order is filled in on save.
- A report's web address is made from its title on the server (not by the admin's
  as-you-type script, which turned "2021/22 (April 2021 – March 2022)" into
  "202122-april-2021-march-2022"). A new report starts with the home force chosen.
- Fields in a table of inline rows are labelled by their column header only, which
  assistive technology does not tie to the field: each gets its own accessible name.
"""

from django import forms
from django.contrib.admin import TabularInline
from django.db import models
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst

from kpis.models import Organisation

from .addresses import slug_from_title

AT_THE_END = "Blank: after the last one."


class NumberedInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            row = "new row" if index is None else f"row {index + 1}"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {row}"

    def save_new(self, form, commit=True):
        if form.instance.position is None:
            siblings = self.model.objects.filter(**{self.fk.name: self.instance})
            form.instance.position = (siblings.aggregate(n=Max("position"))["n"] or 0) + 1
        return super().save_new(form, commit=commit)


class NumberedInlineMixin:
    """For inlines of models with a `position`: blank means 'at the end'."""

    formset = NumberedInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.name == "position":
            field.required = False
            field.initial = None
            field.help_text = AT_THE_END
        if isinstance(self, TabularInline):
            field.widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return field


class ReportFormMixin:
    """For the report admin: a blank web address is made from the title when saved; the
    title box is wide; dates use the browser's own date field, which works from the
    keyboard (the admin's calendar pop-up does not)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
            kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.required = False
        if db_field.name == "title" and field is not None:
            field.widget.attrs["class"] = "vTextField report-title-input"
        return field

    def get_changeform_initial_data(self, request):
        # A new report is about the home force unless the editor chooses another.
        initial = super().get_changeform_initial_data(request)
        if "organisation" not in initial:
            home = Organisation.objects.filter(is_home=True).values_list("pk", flat=True).first()
            if home is not None:
                initial["organisation"] = home
        return initial

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            others = type(obj).objects.exclude(pk=obj.pk)
            obj.slug = slug_from_title(obj.title, taken=lambda slug: others.filter(slug=slug).exists())
        super().save_model(request, obj, form, change)
