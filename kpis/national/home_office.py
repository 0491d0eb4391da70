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
from kpis.spreadsheets import column_letter

from .forces import is_non_force_body
from .periods import parse_financial_quarter, parse_financial_year
from .planning import NationalContext, NationalPlan, NationalProblem, counted, header_key

LAYOUT = "home office recorded crime"
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
NOTE_UNMAPPED = "{count:,} rows are offences no KPI counts (no national mapping names them): not imported."
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
    if len(found) < 4 or len(found) == len(COLUMNS):
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


class _Totals:
    """Offences per (kpi, organisation, financial year, quarter), and which quarters each
    organisation has rows for."""

    def __init__(self):
        self.sums: dict[tuple, int] = {}
        self.quarters: dict[tuple[int, int], set[int]] = {}
        self.non_force: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.unmapped = 0
        self.skipped = 0


def plan_home_office(sheets: Iterable, *, file_name: str, context: NationalContext) -> NationalPlan:
    """Plan a Home Office table: stated quarter and year values per force and mapped KPI.

    `sheets`: objects with `.name` and `.rows` ([(row number, cells)]), e.g. the sheets of
    kpis.spreadsheets.read_sheet or the workbook reader.
    """
    plan = NationalPlan(layout=LAYOUT)
    totals = _Totals()
    tables = 0
    for sheet in sheets:
        table = find_table(sheet)
        if table is None:
            plan.notes.append(NOTE_SHEET_SKIPPED.format(sheet=sheet.name))
            continue
        tables += 1
        _read_table(sheet.name, table, file_name, context, plan, totals)
    if tables == 0:
        plan.notes.clear()
        columns = ", ".join(c.title() for c in COLUMNS)
        plan.problem(NationalProblem(file_name, NO_TABLE.format(columns=columns)))
        return plan
    if not context.mappings.kpis(SOURCE):
        plan.problem(NationalProblem(file_name, NO_MAPPINGS))
    _store(plan, totals, context)
    _notes(plan, totals, context)
    return plan


def _read_table(sheet_name, table, file_name, context, plan: NationalPlan, totals: _Totals) -> None:
    header_row, columns, body = table
    fy_pos, q_pos = columns["financial year"], columns["financial quarter"]
    force_pos, count_pos = columns["force name"], columns["number of offences"]
    mapped_pos = [columns["offence group"], columns["offence subgroup"], columns["offence code"]]
    width = max(columns.values()) + 1
    years: dict = {}
    quarters: dict = {}
    find_force, kpis_for, skip = context.forces.find, context.mappings.kpis_for, context.skip_organisation_ids
    sums, seen = totals.sums, totals.quarters

    def bad(message, number, pos, header):
        plan.problem(NationalProblem(file_name, message, sheet_name, number, column_letter(pos), header))

    for number, cells in body:
        if len(cells) < width:
            if not any(c is not None and str(c).strip() for c in cells):
                continue  # a blank line
            cells = list(cells) + [None] * (width - len(cells))
        plan.rows_read += 1
        raw_force = cells[force_pos]
        org_id = find_force(raw_force)
        if org_id is None:
            name = " ".join(str(raw_force or "").split()) or "(blank)"
            target = totals.non_force if is_non_force_body(name) else totals.unknown
            target[name] = target.get(name, 0) + 1
            continue
        if org_id in skip:
            totals.skipped += 1
            continue
        raw_year, raw_quarter = cells[fy_pos], cells[q_pos]
        year = years.get(raw_year, 0) if raw_year.__class__ in (str, int, float) else 0
        if year == 0:
            year = parse_financial_year(raw_year)
            if raw_year.__class__ in (str, int, float):
                years[raw_year] = year
        quarter = quarters.get(raw_quarter, 0) if raw_quarter.__class__ in (str, int, float) else 0
        if quarter == 0:
            quarter = parse_financial_quarter(raw_quarter)
            if raw_quarter.__class__ in (str, int, float):
                quarters[raw_quarter] = quarter
        count = _count(cells[count_pos])
        if year is None:
            bad(NOT_A_YEAR.format(text=str(raw_year or "")[:60]), number, fy_pos, "Financial Year")
        if quarter is None:
            bad(NOT_A_QUARTER.format(text=str(raw_quarter or "")[:60]), number, q_pos, "Financial Quarter")
        if count.__class__ is str:
            bad(count, number, count_pos, "Number of Offences")
        if year is None or quarter is None or count.__class__ is str:
            continue
        key = (org_id, year)
        found = seen.get(key)
        if found is None:
            found = seen[key] = set()
        found.add(quarter)
        kpi_ids = kpis_for(SOURCE, MAPPED_FIELDS, tuple(cells[p] for p in mapped_pos))
        if not kpi_ids:
            totals.unmapped += 1
            continue
        for kpi_id in kpi_ids:
            total_key = (kpi_id, org_id, year, quarter)
            sums[total_key] = sums.get(total_key, 0) + count


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


def _store(plan: NationalPlan, totals: _Totals, context: NationalContext) -> None:
    kpi_ids = sorted(context.mappings.kpis(SOURCE))
    spans: dict[tuple[int, int], tuple[date, date]] = {}
    for (org_id, year), quarters in totals.quarters.items():
        whole = len(quarters) == 4
        for kpi_id in kpi_ids:
            year_total = 0
            for quarter in quarters:
                span = spans.get((year, quarter))
                if span is None:
                    period = Period.quarter(year, quarter)
                    span = spans[(year, quarter)] = (period.start, period.end)
                value = totals.sums.get((kpi_id, org_id, year, quarter), 0)
                plan.values[(kpi_id, org_id, *span)] = Decimal(value)
                year_total += value
            if whole:
                period = Period.financial_year(year)
                plan.values[(kpi_id, org_id, period.start, period.end)] = Decimal(year_total)


def _notes(plan: NationalPlan, totals: _Totals, context: NationalContext) -> None:
    if totals.non_force:
        plan.notes.append(NOTE_NON_FORCE.format(bodies=counted(totals.non_force)))
    if totals.unknown:
        plan.notes.append(NOTE_UNKNOWN.format(names=counted(totals.unknown)))
    if totals.skipped:
        plan.notes.append(context.skip_reason.replace("{count:,}", f"{totals.skipped:,}"))
    if totals.unmapped:
        plan.notes.append(NOTE_UNMAPPED.format(count=totals.unmapped))
    partial: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for (org_id, year), quarters in sorted(totals.quarters.items()):
        if len(quarters) < 4:
            name = context.forces.names.get(org_id, "?")
            partial.setdefault((year, tuple(sorted(quarters))), []).append(name)
    forces_in_year: dict[int, int] = {}
    for _org_id, year in totals.quarters:
        forces_in_year[year] = forces_in_year.get(year, 0) + 1
    for (year, quarters), names in sorted(partial.items()):
        label = fy_label(year)
        which = "every force" if len(names) == forces_in_year[year] else ", ".join(sorted(names))
        plan.notes.append(
            NOTE_PARTIAL_YEAR.format(
                year=label,
                quarters=", ".join(f"Q{q}" for q in quarters),
                forces=which,
                them="them" if len(names) > 1 else "it",
            )
        )
