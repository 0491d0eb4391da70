"""police.uk street-level crime files: one row per crime (or anti-social behaviour incident).

The layout: `Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
LSOA code, LSOA name, Crime type, Last outcome category, Context` (the last two may be
absent), one csv per force and month (`2019-03-leicestershire-street.csv`), or the monthly
archive zip with `YYYY-MM/YYYY-MM-<force>-street.csv` inside, read as one sheet per csv.
Outcome and stop-and-search files in the same archive are skipped with a note.

`plan_police_uk` counts rows per force ("Falls within"), month and crime type into the
monthly figures of the KPIs whose national mappings name those crime types. A month is
stored as the stated period from its first to its last day: the same observation as a
monthly figure. A force with rows in a month has a figure for every mapped KPI that month
(0 when no row counts for it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from kpis.cells import parse_month
from kpis.periods import month_end

from .forces import is_non_force_body
from .planning import (
    NationalContext,
    NationalPlan,
    NationalProblem,
    ProblemSink,
    counted,
    header_key,
    problem_sink,
)

LAYOUT = "police.uk street"  # ImportBatch.layout (at most 20 characters)
LABEL = "police.uk street-level crime"
SOURCE = "police_uk"
REQUIRED = (
    "crime id",
    "month",
    "reported by",
    "falls within",
    "longitude",
    "latitude",
    "location",
    "lsoa code",
    "lsoa name",
    "crime type",
)
OPTIONAL = ("last outcome category", "context")
MAPPED_FIELDS = ("crime_type",)
NEAR_MISS_AT_LEAST = 7  # of the ten columns: fewer is some other table, not a near miss
# Columns of the archive's other files (outcomes): those are other files, not near misses.
OTHER_FILES = {"outcome type"}
SHEETS_NAMED_IN_NOTE = 5

NEAR_MISS = (
    "These headers look like a police.uk street-level crime file, but {missing} {verb} missing. "
    "The file needs: Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, "
    "LSOA code, LSOA name, Crime type."
)
NO_TABLE = "No sheet has the police.uk street-level crime headers ({columns})."
NO_MAPPINGS = (
    "No KPI counts police.uk crime types yet: add national mappings on a KPI's page, or run "
    "load_national_mappings, then import the file again."
)
NOT_A_MONTH = "'{text}' is not a month: police.uk writes months as 2019-03."
EMPTY_FORCE = "The force ('Falls within') is empty."
NOTE_SHEETS_SKIPPED = "{count:,} sheets are not street-level crime files, skipped: {names}."
NOTE_NON_FORCE = "Not police forces, left out: {bodies}."
NOTE_UNKNOWN = (
    "Forces that are no organisation here, left out: {names}. To import them, add them under "
    "Organisations (or as another name of an organisation)."
)
NOTE_UNMAPPED = "Rows of crime types no KPI counts (no national mapping names them), not imported: {count:,}."


def detect_police_uk(headers: Iterable) -> dict[str, int] | None:
    """{column: position} when the headers are a street-level crime file's, else None."""
    positions: dict[str, int] = {}
    for pos, header in enumerate(headers):
        key = header_key(header)
        if key in REQUIRED or key in OPTIONAL:
            positions.setdefault(key, pos)
    return positions if all(c in positions for c in REQUIRED) else None


def explain_police_uk(headers: Iterable) -> str:
    """For headers that nearly are a street-level crime file's, what is missing; else ""."""
    keys = {header_key(h) for h in headers}
    found = [c for c in REQUIRED if c in keys]
    if len(found) < NEAR_MISS_AT_LEAST or len(found) == len(REQUIRED) or keys & OTHER_FILES:
        return ""
    missing = [c for c in REQUIRED if c not in keys]
    return NEAR_MISS.format(
        missing=", ".join(f"'{m}'" for m in missing), verb="is" if len(missing) == 1 else "are"
    )


class StreetCounts:
    """Rows counted file by file (an archive has one per force), then turned into monthly
    values and notes. The planner below and the import registry's layout both use it:
    `read_table` once per sheet, `values()` and `notes()` after any of them."""

    def __init__(self, context: NationalContext):
        self.context = context
        self.sums: dict[tuple[int, int, date], int] = {}  # (kpi, organisation, month) -> rows
        self.months: set[tuple[int, date]] = set()  # (organisation, month) with any row
        self.non_force: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.unmapped = 0
        self.skipped = 0
        self.rows_read = 0
        self._months: dict = {}

    def read_table(self, columns: dict[str, int], body, problem: ProblemSink) -> None:
        """Count one file's rows. `columns` is detect_police_uk's; `body` is [(row number,
        cells)] below the header; `problem(message, row, position, header)` is told of bad cells."""
        month_pos, force_pos, type_pos = columns["month"], columns["falls within"], columns["crime type"]
        width = max(month_pos, force_pos, type_pos) + 1
        find_force, kpis_for = self.context.forces.find, self.context.mappings.kpis_for
        skip, sums, seen = self.context.skip_organisation_ids, self.sums, self.months
        for number, cells in body:
            if len(cells) < width:
                if not any(c not in (None, "") for c in cells):
                    continue
                cells = list(cells) + [None] * (width - len(cells))
            self.rows_read += 1
            raw_force = cells[force_pos]
            org_id = find_force(raw_force)
            if org_id is None:
                name = " ".join(str(raw_force or "").split())
                if not name:
                    problem(EMPTY_FORCE, number, force_pos, "Falls within")
                    continue
                target = self.non_force if is_non_force_body(name) else self.unknown
                target[name] = target.get(name, 0) + 1
                continue
            if org_id in skip:
                self.skipped += 1
                continue
            month = self._month(cells[month_pos])
            if month is None:
                text = str(cells[month_pos] or "")[:60]
                problem(NOT_A_MONTH.format(text=text), number, month_pos, "Month")
                continue
            seen.add((org_id, month))
            kpi_ids = kpis_for(SOURCE, MAPPED_FIELDS, (cells[type_pos],))
            if not kpi_ids:
                self.unmapped += 1
                continue
            for kpi_id in kpi_ids:
                key = (kpi_id, org_id, month)
                sums[key] = sums.get(key, 0) + 1

    def _month(self, raw) -> date | None:
        try:
            return self._months[raw]
        except KeyError:
            month = self._months[raw] = parse_month(raw)
            return month
        except TypeError:  # an unhashable cell
            return parse_month(raw)

    def values(self) -> dict[tuple, Decimal]:
        """{(kpi, organisation, first day, last day of the month): rows} for every month an
        organisation has rows in (0 when none counts for the KPI)."""
        kpi_ids = sorted(self.context.mappings.kpis(SOURCE))
        values: dict[tuple, Decimal] = {}
        for org_id, month in self.months:
            end = month_end(month)
            for kpi_id in kpi_ids:
                values[(kpi_id, org_id, month, end)] = Decimal(self.sums.get((kpi_id, org_id, month), 0))
        return values

    def notes(self) -> list[str]:
        notes = []
        if self.non_force:
            notes.append(NOTE_NON_FORCE.format(bodies=counted(self.non_force)))
        if self.unknown:
            notes.append(NOTE_UNKNOWN.format(names=counted(self.unknown)))
        if self.skipped:
            notes.append(self.context.skip_reason.replace("{count:,}", f"{self.skipped:,}"))
        if self.unmapped:
            notes.append(NOTE_UNMAPPED.format(count=self.unmapped))
        return notes


def plan_police_uk(sheets: Iterable, *, file_name: str, context: NationalContext) -> NationalPlan:
    """Plan street-level crime files: monthly values per force and mapped KPI."""
    plan = NationalPlan(layout=LAYOUT)
    counts = StreetCounts(context)
    skipped: list[str] = []
    tables = 0
    for sheet in sheets:
        header = next((row for row in sheet.rows if any(c not in (None, "") for c in row[1])), None)
        columns = detect_police_uk(header[1]) if header else None
        if columns is None:
            if header is not None:
                skipped.append(sheet.name)  # an empty sheet (a force with no crimes) says nothing
            continue
        tables += 1
        body = sheet.rows[sheet.rows.index(header) + 1 :]
        counts.read_table(columns, body, problem_sink(plan, file_name, sheet.name))
    plan.rows_read = counts.rows_read
    if tables == 0:
        plan.problem(NationalProblem(file_name, NO_TABLE.format(columns=", ".join(REQUIRED))))
        return plan
    if not context.mappings.kpis(SOURCE):
        plan.problem(NationalProblem(file_name, NO_MAPPINGS))
    plan.values = counts.values()
    if skipped:
        more = " …" if len(skipped) > SHEETS_NAMED_IN_NOTE else ""
        names = ", ".join(skipped[:SHEETS_NAMED_IN_NOTE]) + more
        plan.notes.append(NOTE_SHEETS_SKIPPED.format(count=len(skipped), names=names))
    plan.notes += counts.notes()
    return plan
