"""What an import will write, as the layouts' planners build it: values, not SQL.

A planner reads one sheet into `context.plan`; a layout that reads every sheet of a
workbook has each sheet planned into the same plan, so a figure given twice is found
across sheets too. The writer (writer.py) then writes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from ..models import Kpi, Organisation
from .catalogue_columns import CatalogueColumn
from .lookups import OrganisationLookup, existing_values, kpi_codes


@dataclass
class ObservationPlan:
    """Figures to write, keyed (kpi_id, org_id, month start) for monthly values or
    (kpi_id, org_id, start, end) for a stated period; with what is stored for them."""

    values: dict[tuple, Decimal] = field(default_factory=dict)
    first_row: dict[tuple, object] = field(default_factory=dict)  # key -> row (and sheet) first given
    sheet: str = ""  # the sheet being planned, when a layout reads every sheet
    blanks: int = 0  # empty cells skipped (months with no figure yet)
    notes: list[str] = field(default_factory=list)  # what was deliberately left out: not problems
    existing: dict[tuple, tuple] = field(default_factory=dict)  # key -> (observation id, value)

    def add(self, key: tuple, value: Decimal, row: int) -> str | None:
        """Plan a value given in `row`; if the file already gave one for key, where it did
        ('4', or "4 of sheet '2019-20'"), and the plan is unchanged."""
        first = self.first_row.get(key)
        if first is not None:
            return str(first) if first.__class__ is int else f"{first[1]} of sheet '{first[0]}'"
        self.values[key] = value
        self.first_row[key] = (self.sheet, row) if self.sheet else row
        return None

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def read_existing(self) -> None:
        """Read what is stored for the planned values; planning is over, so where each value
        was first given is no longer needed (and not kept alive through the write)."""
        self.first_row = {}
        self.existing = existing_values(self.values)

    def counts(self) -> tuple[int, int, int]:
        """(new, changed, unchanged) against what is stored."""
        new = changed = unchanged = 0
        existing = self.existing
        for key, value in self.values.items():
            old = existing.get(key)
            if old is None:
                new += 1
            elif old[1] == value:
                unchanged += 1
            else:
                changed += 1
        return new, changed, unchanged


@dataclass
class CataloguePlan:
    """KPI catalogue rows to write, matched on code; with the values of the optional
    registered columns in the file (catalogue_columns.py) under their names."""

    FIELDS = ("name", "category", "unit", "aggregation", "good_direction", "decimals", "description")

    rows: dict[str, dict] = field(default_factory=dict)  # code -> field values
    first_row: dict[str, int] = field(default_factory=dict)
    with_aliases: bool = False  # a file without the column leaves each KPI's aliases as they are
    columns: list[CatalogueColumn] = field(default_factory=list)  # registered columns in the file
    notes: list[str] = field(default_factory=list)
    existing: dict = field(default_factory=dict)  # code -> Kpi
    stored: dict[str, dict[int, object]] = field(default_factory=dict)  # column -> kpi id -> value

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.FIELDS, "aliases") if self.with_aliases else self.FIELDS

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fields_differ(self, kpi, values: dict) -> bool:
        return any(getattr(kpi, f) != values[f] for f in self.fields)

    def changed_columns(self, kpi, values: dict) -> list[CatalogueColumn]:
        """The registered columns whose value for this stored KPI the row changes."""
        return [
            c for c in self.columns if self.stored.get(c.name, {}).get(kpi.pk, c.empty) != values[c.name]
        ]

    def differs(self, kpi, values: dict) -> bool:
        return self.fields_differ(kpi, values) or bool(self.changed_columns(kpi, values))

    def read_existing(self) -> None:
        self.existing = {k.code: k for k in Kpi.objects.filter(code__in=list(self.rows))}
        ids = [k.pk for k in self.existing.values()]
        self.stored = {c.name: c.stored(ids) for c in self.columns}

    def counts(self) -> tuple[int, int, int]:
        new = changed = unchanged = 0
        for code, values in self.rows.items():
            kpi = self.existing.get(code)
            if kpi is None:
                new += 1
            elif self.differs(kpi, values):
                changed += 1
            else:
                unchanged += 1
        return new, changed, unchanged


class PlanContext:
    """What a planner reads besides its sheet: the plan to add to, whose figures blank
    organisation cells are, and the KPI and organisation lookups (read once per import)."""

    def __init__(self, plan, *, organisation: Organisation | None = None, file_name: str = ""):
        self.plan = plan
        self.organisation = organisation
        self.file_name = file_name

    @cached_property
    def kpis(self) -> dict[str, int]:
        return kpi_codes()

    @cached_property
    def organisations(self) -> OrganisationLookup:
        return OrganisationLookup(chosen=self.organisation)
