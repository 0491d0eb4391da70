"""The force's own monthly figures: the long and wide observations layouts.

- long: `kpi_code, month, value`, one figure per row; the file lists only months with figures;
- wide: `kpi_code` then one column per month (2018-04, Apr-18 or dates in the header row);
  an empty cell is a month with no figure yet.

Either may add an `organisation` column (code, name or other name); a blank cell, or no
column, means the organisation chosen for the import, else the home force.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..cells import FORMULA, FOUR_PLACES, MAX_VALUE, cell_text, month_label, parse_month
from .header_check import (
    LONG_COLUMNS,
    OPTIONAL_OBSERVATION_COLUMNS,
    WIDE_REQUIRED,
    claim_columns,
    read_known_headers,
)
from .lookups import find_kpi
from .plans import PlanContext
from .problems import (
    EMPTY_CELL,
    FORMULA_NO_VALUE,
    LONG_VALUE_EMPTY,
    MONTH_TWICE,
    NOT_A_MONTH,
    Problems,
)
from .registry import OBSERVATIONS, Layout, register
from .table import Columns, HeaderRow, SheetRows, filled, read_value

LONG = "long"
WIDE = "wide"


# --------------------------------------------------------------------------- detect
def detect_long(header: HeaderRow, problems: Problems) -> Columns | None:
    known = read_known_headers(header)
    if not {"month", "value"} & known.guessed:
        return None
    allowed = (*LONG_COLUMNS, *OPTIONAL_OBSERVATION_COLUMNS)
    return claim_columns(known, problems, layout=LONG, allowed=allowed, required=LONG_COLUMNS)


def detect_wide(header: HeaderRow, problems: Problems) -> Columns | None:
    known = read_known_headers(header)
    if not known.months or {"month", "value"} & known.guessed:
        return None
    allowed = (*WIDE_REQUIRED, *OPTIONAL_OBSERVATION_COLUMNS)
    return claim_columns(
        known, problems, layout=WIDE, allowed=allowed, required=WIDE_REQUIRED, with_months=True
    )


# --------------------------------------------------------------------------- plan
class RowOrganisation:
    """Whose figures a row holds: its organisation cell, else the import's organisation."""

    def __init__(self, org_col: int | None, rows: SheetRows, problems: Problems, context: PlanContext):
        self.col, self.lookup, self.problems = org_col, context.organisations, problems
        self.header = rows.header.text(org_col) if org_col is not None else ""
        self.fixed = self.lookup.default(problems) if org_col is None else None

    def of(self, cells, number: int) -> int | None:
        if self.col is None:
            return self.fixed
        raw = cells[self.col] if self.col < len(cells) else None
        return self.lookup.find(raw, number, self.col, self.header, self.problems)


def plan_long(rows: SheetRows, columns: Columns, problems: Problems, context: PlanContext) -> None:
    """One figure per row. The loop is the import's hot path: plain text codes, months and
    numbers (every cell of a CSV) take the short way."""
    plan, kpis, header = context.plan, context.kpis, rows.header
    idx = columns.index
    kpi_col, month_col, value_col = idx["kpi_code"], idx["month"], idx["value"]
    organisation_of = RowOrganisation(idx.get("organisation"), rows, problems, context).of
    add = plan.add
    kpi_header, month_header, value_header = (
        header.text(kpi_col),
        header.text(month_col),
        header.text(value_col),
    )
    month_cache: dict = {}
    for number, cells in rows.body:
        width = len(cells)
        raw_code = cells[kpi_col] if kpi_col < width else None
        # Most codes are plain text exactly as stored; only others need cleaning.
        kpi_id = kpis.get(raw_code) if raw_code.__class__ is str else None
        code = raw_code
        if kpi_id is None:
            kpi_id, code = find_kpi(raw_code, kpis, number, kpi_col, kpi_header, problems)
        org_id = organisation_of(cells, number)
        raw_month = cells[month_col] if month_col < width else None
        try:
            month = month_cache[raw_month]
        except (KeyError, TypeError):
            month = parse_month(raw_month)
            if not isinstance(raw_month, list):
                month_cache[raw_month] = month
        if month is None:
            text = cell_text(raw_month)
            if raw_month is FORMULA:
                message = FORMULA_NO_VALUE
            else:
                message = NOT_A_MONTH.format(text=text[:60]) if text else EMPTY_CELL.format(name="month")
            problems.add(message, number, month_col, month_header)
        raw = cells[value_col] if value_col < width else None
        value = None
        if raw.__class__ is str and "_" not in raw:
            try:  # the fast path: a plain number written as text (every cell of a CSV)
                value = Decimal(raw).quantize(FOUR_PLACES)
                if not (value.is_finite() and abs(value) < MAX_VALUE):
                    value = None
            except (InvalidOperation, ValueError):
                value = None
        if value is None and raw is not FORMULA and not filled(raw):
            problems.add(LONG_VALUE_EMPTY, number, value_col, value_header)
        elif value is None:
            value = read_value(raw, number, value_col, value_header, problems, empty_ok=False)
        if kpi_id is not None and month is not None and org_id is not None and value is not None:
            first = add((kpi_id, org_id, month), value, number)
            if first is not None:
                message = MONTH_TWICE.format(code=code, month=month_label(month), first_row=first)
                problems.add(message, number, month_col, month_header)


def plan_wide(rows: SheetRows, columns: Columns, problems: Problems, context: PlanContext) -> None:
    """One row per KPI, one column per month; empty cells are months with no figure yet."""
    plan, kpis, header = context.plan, context.kpis, rows.header
    kpi_col = columns.index["kpi_code"]
    organisation = RowOrganisation(columns.index.get("organisation"), rows, problems, context)
    kpi_header = header.text(kpi_col)
    months = [(pos, month, header.text(pos)) for pos, month in columns.months.items()]
    for number, cells in rows.body:
        width = len(cells)
        raw_code = cells[kpi_col] if kpi_col < width else None
        kpi_id, code = find_kpi(raw_code, kpis, number, kpi_col, kpi_header, problems)
        org_id = organisation.of(cells, number)
        for pos, month, month_header in months:
            raw = cells[pos] if pos < width else None
            if raw is not FORMULA and not filled(raw):
                plan.blanks += 1  # a month with no figure yet
                continue
            value = read_value(raw, number, pos, month_header, problems, empty_ok=True)
            if kpi_id is not None and org_id is not None and value is not None:
                first = plan.add((kpi_id, org_id, month), value, number)
                if first is not None:
                    message = MONTH_TWICE.format(code=code, month=month_label(month), first_row=first)
                    problems.add(message, number, pos, "")


register(
    Layout(
        name=LONG,
        label="observations, long",
        kind=OBSERVATIONS,
        detect=detect_long,
        plan=plan_long,
        headers="'kpi_code, month, value'",
        order=60,
    )
)
register(
    Layout(
        name=WIDE,
        label="observations, wide",
        kind=OBSERVATIONS,
        detect=detect_wide,
        plan=plan_wide,
        headers="'kpi_code' then one column per month",
        order=70,
    )
)
