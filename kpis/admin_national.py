"""The KPI page's "National mappings": which rows of the Home Office and police.uk files the
KPI counts, edited inline (kpis.national.models.NationalMapping)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .national.models import EXCLUDE_ONLY, NationalMapping, kpi_problem


class NationalMappingFormSet(forms.BaseInlineFormSet):
    """Checks the mappings together: the KPI must be a summed count, and a source's mappings
    must include something before they exclude anything."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("source")
        ]
        if not kept:
            return
        problem = kpi_problem(self.instance)
        if problem:
            raise ValidationError(problem)
        sources = {data["source"] for data in kept}
        for source in sorted(sources):
            rows = [data for data in kept if data["source"] == source]
            if all(data.get("exclude") for data in rows):
                label = NationalMapping.Source(source).label
                raise ValidationError(EXCLUDE_ONLY.format(source=label))


class NationalMappingInline(admin.TabularInline):
    model = NationalMapping
    formset = NationalMappingFormSet
    fields = ("source", "field", "value", "exclude")
    extra = 0
    verbose_name = _("national mapping")
    verbose_name_plural = _(
        "National mappings: which rows of the Home Office recorded crime tables and police.uk "
        "files this KPI counts (fetch_national_data and imports of those files use them)"
    )
