"""Home Office police recorded crime tables by Police Force Area (prc-pfa-mar2013-onwards-tables).

The layout: `Financial Year, Financial Quarter, Force Name, Offence Description, Offence
Group, Offence Subgroup, Offence Code, Number of Offences` (any case, spacing, '_' or '-'),
as ods or xlsx with one sheet per financial year (named like '2019-20' or '2024_25'), or as
one long csv. Every sheet with these headers is read; other sheets (notes, contents) are
skipped with a note.

`plan_home_office` adds up, per force and per KPI (through the KPIs' national mappings),
the offences of each financial quarter and, when all four of a year's quarters are in the
file for that force, of the financial year; values are stated periods ready for the import
writer. Non-force bodies (Action Fraud, CIFAS, UK Finance) and unknown names are left out
and named in the notes with their row counts; rows no KPI counts are a note, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from kpis.periods import Period, fy_label

from .forces import is_non_force_body
from .periods import parse_financial_quarter, parse_financial_year
from .planning import (
    NationalContext,
    NationalPlan,
    NationalProblem,
    ProblemSink,
    counted,
    header_key,
    problem_sink,
)

LAYOUT = "home office"  # ImportBatch.layout (at most 20 characters)
LABEL = "Home Office recorded crime"
SOURCE = "home_office"
COLUMNS = (
    "financial year",
    "financial quarter",
    "force name",
    "offence description",
    "offence group",
    "offence subgroup",
    "offence code",
    "number of offences",
)
MAPPED_FIELDS = ("offence_group", "offence_subgroup", "offence_code")
HEADER_SEARCH_ROWS = 20  # a title or notes above the table are allowed
NEAR_MISS_AT_LEAST = 6  # of the eight columns: fewer is some other table, not a near miss

NEAR_MISS = (
    "These headers look like a Home Office recorded crime table, but {missing} "
    "{verb} missing. The table needs: Financial Year, Financial Quarter, Force Name, Offence "
    "Description, Offence Group, Offence Subgroup, Offence Code, Number of Offences."
)
NO_TABLE = "No sheet has the Home Office recorded crime headers ({columns})."
NO_MAPPINGS = (
    "No KPI counts Home Office rows yet: add national mappings on a KPI's page, or run "
    "load_national_mappings, then import the file again."
)
NOT_A_YEAR = "'{text}' is not a financial year: write it as 2019/20."
NOT_A_QUARTER = "'{text}' is not a financial quarter: write 1, 2, 3 or 4 (Q1 is April to June)."
NOT_A_COUNT = "'{text}' is not a number of offences (a whole number)."
EMPTY_COUNT = "The number of offences is empty."
NOTE_SHEET_SKIPPED = "Sheet '{sheet}' has no table of offences: skipped."
NOTE_NON_FORCE = "Not police forces, left out: {bodies}."
NOTE_UNKNOWN = (
    "Names that are no organisation here, left out: {names}. To import them, add them under "
    "Organisations (or as another name of an organisation)."
)
NOTE_UNMAPPED = "Rows of offences no KPI counts (no national mapping names them), not imported: {count:,}."
NOTE_PARTIAL_YEAR = (
    "{year}: the file has only {quarters} for {forces}: stored as quarters only; a part of a year "
    "is not a year, so there is no {year} figure for {them}."
)


def detect_home_office(headers: Iterable) -> dict[str, int] | None:
    """{column: position} when the headers are the Home Office table's, else None."""
    positions: dict[str, int] = {}
    for pos, header in enumerate(headers):
        key = header_key(header)
        if key in COLUMNS and key not in positions:
            positions[key] = pos
    return positions if len(positions) == len(COLUMNS) else None


def explain_home_office(headers: Iterable) -> str:
    """For headers that nearly are the Home Office table's, what is missing; else ""."""
    keys = {header_key(h) for h in headers}
    found = [c for c in COLUMNS if c in keys]
    if len(found) < NEAR_MISS_AT_LEAST or len(found) == len(COLUMNS):
        return ""
    missing = [c.title() for c in COLUMNS if c not in keys]
    return NEAR_MISS.format(
        missing=", ".join(f"'{m}'" for m in missing), verb="is" if len(missing) == 1 else "are"
    )


def find_table(sheet) -> tuple[int, dict[str, int], list] | None:
    """(header row number, column positions, rows below) of the sheet's table, or None."""
    for index, (number, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns = detect_home_office(cells)
        if columns is not None:
            return number, columns, sheet.rows[index + 1 :]
    return None


class HomeOfficeTotals:
    """Offences added up table by table (a workbook has one per financial year), then turned
    into stated values and notes. The planner below and the import registry's layout both
    use it: `read_table` once per sheet, `values()` and `notes()` after any of them."""

    def __init__(self, context: NationalContext):
        self.context = context
        self.sums: dict[tuple, int] = {}  # (kpi, organisation, year, quarter) -> offences
        self.quarters: dict[tuple[int, int], set[int]] = {}  # (organisation, year) -> quarters
        self.non_force: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.unmapped = 0
        self.skipped = 0
        self.rows_read = 0
        self._years: dict = {}
        self._quarter_cells: dict = {}

    def read_table(self, columns: dict[str, int], body, problem: ProblemSink) -> None:
        """Add one table's rows. `columns` is detect_home_office's; `body` is [(row number,
        cells)] below the header; `problem(message, row, position, header)` is told of bad cells."""
        fy_pos, q_pos = columns["financial year"], columns["financial quarter"]
        force_pos, count_pos = columns["force name"], columns["number of offences"]
        mapped_pos = (columns["offence group"], columns["offence subgroup"], columns["offence code"])
        width = max(columns.values()) + 1
        context = self.context
        find_force, kpis_for = context.forces.find, context.mappings.kpis_for
        skip, sums, seen = context.skip_organisation_ids, self.sums, self.quarters
        for number, cells in body:
            if len(cells) < width:
                if not any(c is not None and str(c).strip() for c in cells):
                    continue  # a blank line
                cells = list(cells) + [None] * (width - len(cells))
            self.rows_read += 1
            raw_force = cells[force_pos]
            org_id = find_force(raw_force)
            if org_id is None:
                self._left_out(raw_force)
                continue
            if org_id in skip:
                self.skipped += 1
                continue
            year = self._year(cells[fy_pos], number, fy_pos, problem)
            quarter = self._quarter(cells[q_pos], number, q_pos, problem)
            count = _count(cells[count_pos])
            if count.__class__ is str:
                problem(count, number, count_pos, "Number of Offences")
            if year is None or quarter is None or count.__class__ is str:
                continue
            found = seen.get((org_id, year))
            if found is None:
                found = seen[(org_id, year)] = set()
            found.add(quarter)
            offence = (cells[mapped_pos[0]], cells[mapped_pos[1]], cells[mapped_pos[2]])
            kpi_ids = kpis_for(SOURCE, MAPPED_FIELDS, offence)
            if not kpi_ids:
                self.unmapped += 1
                continue
            for kpi_id in kpi_ids:
                key = (kpi_id, org_id, year, quarter)
                sums[key] = sums.get(key, 0) + count

    def _left_out(self, raw_force) -> None:
        name = " ".join(str(raw_force or "").split()) or "(blank)"
        target = self.non_force if is_non_force_body(name) else self.unknown
        target[name] = target.get(name, 0) + 1

    def _year(self, raw, number, pos, problem) -> int | None:
        return _remembered_parse(
            raw, self._years, parse_financial_year, NOT_A_YEAR, (number, pos, "Financial Year"), problem
        )

    def _quarter(self, raw, number, pos, problem) -> int | None:
        return _remembered_parse(
            raw, self._quarter_cells, parse_financial_quarter, NOT_A_QUARTER,
            (number, pos, "Financial Quarter"), problem,
        )  # fmt: skip

    def values(self) -> dict[tuple, Decimal]:
        """{(kpi, organisation, start, end): offences} for every quarter an organisation has
        rows for (0 when none counts for the KPI), and for each year it has all four of."""
        values: dict[tuple, Decimal] = {}
        kpi_ids = sorted(self.context.mappings.kpis(SOURCE))
        spans: dict[tuple[int, int], tuple[date, date]] = {}
        for (org_id, year), quarters in self.quarters.items():
            for kpi_id in kpi_ids:
                year_total = 0
                for quarter in quarters:
                    span = spans.get((year, quarter))
                    if span is None:
                        period = Period.quarter(year, quarter)
                        span = spans[(year, quarter)] = (period.start, period.end)
                    value = self.sums.get((kpi_id, org_id, year, quarter), 0)
                    values[(kpi_id, org_id, *span)] = Decimal(value)
                    year_total += value
                if len(quarters) == 4:
                    period = Period.financial_year(year)
                    values[(kpi_id, org_id, period.start, period.end)] = Decimal(year_total)
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
        return notes + self._partial_year_notes()

    def _partial_year_notes(self) -> list[str]:
        partial: dict[tuple[int, tuple[int, ...]], list[str]] = {}
        forces_in_year: dict[int, int] = {}
        for (org_id, year), quarters in sorted(self.quarters.items()):
            forces_in_year[year] = forces_in_year.get(year, 0) + 1
            if len(quarters) < 4:
                name = self.context.forces.names.get(org_id, "?")
                partial.setdefault((year, tuple(sorted(quarters))), []).append(name)
        notes = []
        for (year, quarters), names in sorted(partial.items()):
            which = "every force" if len(names) == forces_in_year[year] else ", ".join(sorted(names))
            notes.append(
                NOTE_PARTIAL_YEAR.format(
                    year=fy_label(year),
                    quarters=", ".join(f"Q{q}" for q in quarters),
                    forces=which,
                    them="them" if len(names) > 1 else "it",
                )
            )
        return notes


def plan_home_office(sheets: Iterable, *, file_name: str, context: NationalContext) -> NationalPlan:
    """Plan a Home Office table: stated quarter and year values per force and mapped KPI.

    `sheets`: objects with `.name` and `.rows` ([(row number, cells)]), e.g. the sheets of
    kpis.spreadsheets.read_sheet or the workbook reader.
    """
    plan = NationalPlan(layout=LAYOUT)
    totals = HomeOfficeTotals(context)
    skipped, tables = [], 0
    for sheet in sheets:
        table = find_table(sheet)
        if table is None:
            skipped.append(NOTE_SHEET_SKIPPED.format(sheet=sheet.name))
            continue
        tables += 1
        _header_row, columns, body = table
        totals.read_table(columns, body, problem_sink(plan, file_name, sheet.name))
    plan.rows_read = totals.rows_read
    if tables == 0:
        columns = ", ".join(c.title() for c in COLUMNS)
        plan.problem(NationalProblem(file_name, NO_TABLE.format(columns=columns)))
        return plan
    if not context.mappings.kpis(SOURCE):
        plan.problem(NationalProblem(file_name, NO_MAPPINGS))
    plan.values = totals.values()
    plan.notes = skipped + totals.notes()
    return plan


def _count(raw) -> int | str:
    """The cell as a whole number, or the message saying why it is not one."""
    if raw.__class__ is int:
        return raw
    if raw.__class__ is float and raw.is_integer():
        return int(raw)
    if raw.__class__ is Decimal and raw == raw.to_integral_value():
        return int(raw)
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        return EMPTY_COUNT
    try:
        return int(text)
    except ValueError:
        try:
            number = Decimal(text)
        except ArithmeticError:
            return NOT_A_COUNT.format(text=str(raw).strip()[:60])
        if number.is_finite() and number == number.to_integral_value():
            return int(number)
        return NOT_A_COUNT.format(text=str(raw).strip()[:60])


def _remembered_parse(raw, seen: dict, parse, message: str, where: tuple, problem) -> int | None:
    """`parse(raw)`, remembered per distinct cell value (a file repeats a few hundred of them
    across 300,000 rows); a problem at `where` (row, column, header) when it is None."""
    hashable = raw.__class__ in (str, int, float)
    value = seen.get(raw, 0) if hashable else 0
    if value == 0:
        value = parse(raw)
        if hashable:
            seen[raw] = value
    if value is None:
        problem(message.format(text=str(raw if raw is not None else "")[:60]), *where)
    return value
