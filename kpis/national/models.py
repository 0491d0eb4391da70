"""Which rows of a national file make up a KPI: `NationalMapping`, edited inline on the KPI.

Imported by kpis/models.py, so the model belongs to the kpis app.

A KPI counts the rows of a source that match any of its include mappings and none of its
exclude mappings: "All crime excluding fraud" is every Home Office row (offence group
`*`) except offence groups "Fraud offences" and "Computer misuse".
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabulary import (
    EVERY_ROW,
    HOME_OFFICE_GROUPS,
    HOME_OFFICE_SUBGROUPS,
    POLICE_UK_CRIME_TYPES,
    normalise_value,
    suggest,
)

FIELD_NOT_IN_SOURCE = "{source} files have no {field} column: use {fields}."
NOT_A_CRIME_TYPE = "'{value}' is not a police.uk crime type: use one of {choices}."
UNKNOWN_VALUE_SUGGEST = "'{value}' is not a published {field}; did you mean '{suggestion}'?"
NOT_AN_OFFENCE_CODE = "'{value}' is not an offence code: codes are like 8N, 28E or 105A."
EVERY_ROW_EXCLUDED = "'*' means every row: it can only be included, not excluded."
NOT_A_COUNT = (
    "National files count offences: {kpi} is {unit} combined by {aggregation}. Make it a count "
    "whose months combine by sum before mapping national rows to it."
)
NO_SEMICOLON = "A value cannot contain ';': the catalogue's national_rows cell separates mappings with it."
EXCLUDE_ONLY = "{source}: these mappings only exclude rows; add at least one row to include."

_OFFENCE_CODE = re.compile(r"^\d{1,3}[A-Za-z]{0,2}\d?$")


class NationalMapping(models.Model):
    """One kind of national row a KPI counts (or, with `exclude`, leaves out)."""

    class Source(models.TextChoices):
        HOME_OFFICE = "home_office", _("Home Office police recorded crime (PRC tables)")
        POLICE_UK = "police_uk", _("police.uk street-level crime")

    class Field(models.TextChoices):
        OFFENCE_GROUP = "offence_group", _("Offence group")
        OFFENCE_SUBGROUP = "offence_subgroup", _("Offence subgroup")
        OFFENCE_CODE = "offence_code", _("Offence code")
        CRIME_TYPE = "crime_type", _("Crime type")

    FIELDS_OF = {
        Source.HOME_OFFICE: (Field.OFFENCE_GROUP, Field.OFFENCE_SUBGROUP, Field.OFFENCE_CODE),
        Source.POLICE_UK: (Field.CRIME_TYPE,),
    }

    kpi = models.ForeignKey(
        "kpis.Kpi", on_delete=models.CASCADE, related_name="national_mappings", verbose_name=_("KPI")
    )
    source = models.CharField(_("national source"), max_length=20, choices=Source.choices)
    field = models.CharField(_("column"), max_length=20, choices=Field.choices)
    value = models.CharField(
        _("value"),
        max_length=200,
        help_text=_(
            "As the national file writes it, e.g. 'Violence with injury' (offence subgroup), '8N' "
            "(offence code) or 'Bicycle theft' (crime type). Case, spacing and '&'/'and' do not "
            "matter. '*' means every row of the source."
        ),
    )
    exclude = models.BooleanField(
        _("exclude"),
        default=False,
        help_text=_("Leave these rows out, e.g. fraud from 'all crime excluding fraud'."),
    )

    class Meta:
        ordering = ["kpi", "source", "exclude", "field", "value"]
        verbose_name = _("national mapping")
        verbose_name_plural = _("national mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "source", "field", "value"],
                name="one_national_mapping_per_value",
                violation_error_message=_("This KPI already maps this value."),
            )
        ]

    def __str__(self) -> str:
        verb = "excludes" if self.exclude else "counts"
        return f"{self.kpi_id and self.kpi.code} {verb} {self.get_field_display()} '{self.value}'"

    def clean(self):
        self.value = " ".join((self.value or "").split())
        errors = {}
        allowed = self.FIELDS_OF.get(self.source, ())
        if self.source and self.field and self.field not in allowed:
            errors["field"] = FIELD_NOT_IN_SOURCE.format(
                source=self.Source(self.source).label,
                field=self.Field(self.field).label.lower(),
                fields=", ".join(str(self.Field(f).label).lower() for f in allowed),
            )
        elif ";" in self.value:
            errors["value"] = NO_SEMICOLON
        elif self.value == EVERY_ROW:
            if self.exclude:
                errors["exclude"] = EVERY_ROW_EXCLUDED
        elif self.value and self.field:
            message = value_problem(self.field, self.value)
            if message:
                errors["value"] = message
        if errors:
            raise ValidationError(errors)
        # Whether the KPI is a count summed over months is checked once for all its mappings
        # (kpis.admin_national's formset, the load_national_mappings command): `kpi_problem`.


def value_problem(field: str, value: str) -> str:
    """Why `value` cannot be a mapping of `field`, or "" when it can."""
    if field == NationalMapping.Field.CRIME_TYPE:
        if normalise_value(value) not in {normalise_value(t) for t in POLICE_UK_CRIME_TYPES}:
            return NOT_A_CRIME_TYPE.format(value=value, choices=", ".join(POLICE_UK_CRIME_TYPES))
        return ""
    if field == NationalMapping.Field.OFFENCE_CODE:
        return "" if _OFFENCE_CODE.match(value) else NOT_AN_OFFENCE_CODE.format(value=value)
    known = HOME_OFFICE_GROUPS if field == NationalMapping.Field.OFFENCE_GROUP else HOME_OFFICE_SUBGROUPS
    if normalise_value(value) in {normalise_value(v) for v in known}:
        return ""
    # New groups do appear in new editions: only a near-miss of a published one is refused.
    near = suggest(value, known)
    if near:
        label = str(NationalMapping.Field(field).label).lower()
        return UNKNOWN_VALUE_SUGGEST.format(value=value, field=label, suggestion=near)
    return ""


def kpi_problem(kpi) -> str:
    """Why national rows cannot be counted into `kpi`, or "" when they can."""
    if kpi.unit == "count" and kpi.aggregation == "sum":
        return ""
    return NOT_A_COUNT.format(
        kpi=kpi, unit=str(kpi.get_unit_display()).lower(), aggregation=kpi.aggregation
    )
