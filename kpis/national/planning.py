"""What the national planners share: who is who (forces, KPI mappings), and what a plan says.

A planner (`home_office.plan_home_office`, `police_uk.plan_police_uk`) reads sheets and
returns a `NationalPlan`: the values to store, keyed as the import writer keys stated
periods — `{(kpi_id, organisation_id, period_start, period_end): Decimal}` (a police.uk
month is stored as the stated period first-to-last day of the month, which is the same
observation as a monthly figure) — the problems that stop the import (file, sheet, row,
column), and notes that do not (skipped bodies, unknown names, unmapped rows, partial
years). Planners touch no database: `NationalContext.from_database()` reads what they need
once, and tests build a context by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kpis.spreadsheets import column_letter

from .forces import ForceMatcher
from .vocabulary import EVERY_ROW, normalise_value

MAX_PROBLEMS_LISTED = 500


# --------------------------------------------------------------------------- mappings
class MappingIndex:
    """Which KPIs a national row counts for, per source; cached per distinct row key."""

    def __init__(self, mappings: Iterable[tuple[int, str, str, str, bool]]):
        # source -> kpi_id -> ([(field, key)] includes, [(field, key)] excludes)
        self.rules: dict[str, dict[int, tuple[list, list]]] = {}
        for kpi_id, source, field_name, value, exclude in mappings:
            per_kpi = self.rules.setdefault(source, {}).setdefault(kpi_id, ([], []))
            key = EVERY_ROW if value.strip() == EVERY_ROW else normalise_value(value)
            per_kpi[1 if exclude else 0].append((field_name, key))
        self._cache: dict[tuple, tuple[int, ...]] = {}

    @classmethod
    def from_models(cls, mapping_model) -> MappingIndex:
        return cls(mapping_model.objects.values_list("kpi_id", "source", "field", "value", "exclude"))

    def kpis(self, source: str) -> set[int]:
        return {kpi_id for kpi_id, (includes, _) in self.rules.get(source, {}).items() if includes}

    def kpis_for(self, source: str, fields: tuple[str, ...], raw: tuple) -> tuple[int, ...]:
        """The KPI ids a row with these raw cell values (one per field name) counts for."""
        cache_key = (source, raw)
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        keys = {name: normalise_value(value) for name, value in zip(fields, raw, strict=True)}

        def matches(rule) -> bool:
            name, key = rule
            return name in keys and (key == EVERY_ROW or keys[name] == key)

        found = tuple(
            kpi_id
            for kpi_id, (includes, excludes) in self.rules.get(source, {}).items()
            if any(matches(r) for r in includes) and not any(matches(r) for r in excludes)
        )
        self._cache[cache_key] = found
        return found


@dataclass
class NationalContext:
    """Everything a planner needs from the database, read once."""

    forces: ForceMatcher
    mappings: MappingIndex
    skip_organisation_ids: frozenset[int] = frozenset()  # e.g. the home force for police.uk
    skip_reason: str = ""


SKIPPED_HOME = (
    "{name} is the home force, so its rows were left out (its own monthly figures come from its "
    "own files): {count:,}."
)


# --------------------------------------------------------------------------- outcome
@dataclass(frozen=True)
class NationalProblem:
    """Something wrong with a cell (or the file) that stops the import."""

    file_name: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str | None = None  # letter, e.g. "D"
    header: str = ""

    @property
    def where(self) -> str:
        parts = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return f"{self.file_name}, {where}: {self.message}" if where else f"{self.file_name}: {self.message}"


@dataclass
class NationalPlan:
    """What a national file holds, ready for the import writer."""

    layout: str
    values: dict[tuple, Decimal] = field(default_factory=dict)
    problems: list[NationalProblem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, problem: NationalProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(problem)


# problem(message, row number, column position, header): how table readers report a bad cell.
ProblemSink = Callable[[str, int | None, int | None, str], None]


def problem_sink(plan: NationalPlan, file_name: str, sheet: str) -> ProblemSink:
    """A ProblemSink adding NationalProblems for one sheet to `plan`."""

    def add(message: str, row: int | None = None, pos: int | None = None, header: str = "") -> None:
        letter = column_letter(pos) if pos is not None else None
        plan.problem(NationalProblem(file_name, message, sheet, row, letter, header))

    return add


# --------------------------------------------------------------------------- sheets
def header_and_body(sheet) -> tuple[int, list, list[tuple[int, list]]] | None:
    """(header row number, headers, body rows) of a sheet whose first filled row is its headers.

    `sheet` is anything with `.name` and `.rows` as [(row number, cells)], the shape of
    kpis.spreadsheets.Sheet; None for an empty sheet.
    """
    rows = sheet.rows
    for index, (number, cells) in enumerate(rows):
        if any(c is not None and str(c).strip() for c in cells):
            return number, list(cells), rows[index + 1 :]
    return None


def header_key(text) -> str:
    """'Financial  Year', 'financial_year', 'FINANCIAL-YEAR' -> 'financial year'."""
    return " ".join(str(text or "").replace("_", " ").replace("-", " ").lower().split())


def counted(name_counts: dict[str, int]) -> str:
    """{'Action Fraud': 1200, 'CIFAS': 800} -> "Action Fraud (1,200 rows), CIFAS (800 rows)"."""
    return ", ".join(
        f"{name} ({count:,} row{'s' if count != 1 else ''})"
        for name, count in sorted(name_counts.items(), key=lambda item: (-item[1], item[0]))
    )
