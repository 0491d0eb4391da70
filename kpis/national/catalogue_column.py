"""The catalogue's `national_rows` column: a KPI's national mappings in one cell
(`home_office:offence_group=*; -home_office:offence_group=Fraud offences`, measures.py),
read, checked and written by the catalogue import (kpis/imports/catalogue_columns.py).

Each mapping is checked as the KPI page's inline checks it: the model's own field checks
and `clean`, then the checks of the mappings together (a summed count, and something
included before anything is excluded). With the column in the file the cell is the KPI's
whole list: a blank cell removes its mappings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from kpis.imports import CatalogueColumn, register_catalogue_column
from kpis.models import Kpi

from .measures import DID_YOU_MEAN, Row, format_mappings, parse_mappings
from .models import EXCLUDE_ONLY, NationalMapping, kpi_problem
from .vocabulary import suggest

COLUMN = "national_rows"
UNKNOWN_FIELD = "'{field}' is not a column of {source} files: use {fields}."
MAPPED_TWICE = "{mapping}: this value is mapped twice."
IN_MAPPING = "{mapping}: {message}"


def field_problem(row: Row) -> str:
    """Why the row's column is no column of national files, with the one of its source it
    looks like (a real column of the other source is the model's `clean` to refuse)."""
    if row.field in NationalMapping.Field.values:
        return ""
    allowed = [str(f) for f in NationalMapping.FIELDS_OF[NationalMapping.Source(row.source)]]
    label = str(NationalMapping.Source(row.source).label)
    message = UNKNOWN_FIELD.format(field=row.field, source=label, fields=", ".join(allowed))
    near = suggest(row.field, allowed)
    return message + (DID_YOU_MEAN.format(suggestion=near) if near else "")


def row_problems(row: Row) -> list[str]:
    """What is wrong with one mapping, as the admin inline would say it."""
    problem = field_problem(row)
    if problem:
        return [problem]
    mapping = NationalMapping(source=row.source, field=row.field, value=row.value, exclude=row.exclude)
    try:
        mapping.clean_fields(exclude=["kpi"])
        mapping.clean()
    except ValidationError as error:
        return [str(m) for messages in error.message_dict.values() for m in messages]
    return []


def together_problems(rows: list[Row], values: dict) -> list[str]:
    """The inline formset's checks of a KPI's mappings as a whole."""
    if not rows or not {"unit", "aggregation"} <= values.keys():
        return []
    kpi = Kpi(**{k: values[k] for k in ("code", "name", "unit", "aggregation") if k in values})
    problem = kpi_problem(kpi)
    if problem:
        return [problem]
    out = []
    for source in sorted({r.source for r in rows}):
        if all(r.exclude for r in rows if r.source == source):
            out.append(EXCLUDE_ONLY.format(source=NationalMapping.Source(source).label))
    return out


def read_national_rows(text: str, values: dict) -> tuple[frozenset, list[str]]:
    """A `national_rows` cell as the set of its mappings, and what is wrong with it."""
    try:
        rows = parse_mappings(text)
    except ValueError as error:
        return frozenset(), [str(error)]
    problems, seen = [], set()
    for row in rows:
        mapping = format_mappings([row])
        key = (row.source, row.field, row.value)
        if key in seen:
            problems.append(MAPPED_TWICE.format(mapping=mapping))
        seen.add(key)
        problems += [IN_MAPPING.format(mapping=mapping, message=m) for m in row_problems(row)]
    if not problems:
        problems = together_problems(rows, values)
    return frozenset(rows), problems


def stored_national_rows(kpi_ids: Iterable[int]) -> dict[int, frozenset]:
    stored: dict[int, set] = {}
    fields = ("kpi_id", "source", "field", "value", "exclude")
    for kpi_id, *row in NationalMapping.objects.filter(kpi_id__in=list(kpi_ids)).values_list(*fields):
        stored.setdefault(kpi_id, set()).add(Row(*row))
    return {kpi_id: frozenset(rows) for kpi_id, rows in stored.items()}


def write_national_rows(rows_by_kpi: dict[int, frozenset]) -> None:
    """Replace these KPIs' mappings with the given ones."""
    NationalMapping.objects.filter(kpi_id__in=list(rows_by_kpi)).delete()
    NationalMapping.objects.bulk_create(
        NationalMapping(kpi_id=kpi_id, source=r.source, field=r.field, value=r.value, exclude=r.exclude)
        for kpi_id, rows in rows_by_kpi.items()
        for r in rows
    )


def national_rows_cells(kpis: Iterable[Kpi]) -> dict[int, str]:
    """Each KPI's mappings as its catalogue cell (for exports), in the model's order."""
    by_kpi: dict[int, list] = {}
    for mapping in NationalMapping.objects.filter(kpi__in=list(kpis)):
        by_kpi.setdefault(mapping.kpi_id, []).append(mapping)
    return {kpi_id: format_mappings(rows) for kpi_id, rows in by_kpi.items()}


NATIONAL_ROWS = register_catalogue_column(
    CatalogueColumn(
        name=COLUMN, read=read_national_rows, stored=stored_national_rows, write=write_national_rows
    )
)
