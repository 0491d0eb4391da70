"""Peer figures: other forces' KPI values for stated periods, through the same import.

- peers long: `kpi_code, organisation, period_start, period_end, value` (optional
  `kpi_name`, `note`), one figure per row, for any stated period: `2018-01-01, 2018-12-31`
  for a survey year, or the same date twice for an "as at" figure;
- peers wide: `kpi_code, period, <force>, <force>, …`, one column per force (named by code
  or name), `period` written as a month (`2018-04`), a financial year (`2018/19`), a quarter
  (`Q3 2018/19`), a run of months (`Jan 2018 – Dec 2018`, `2018-01 to 2018-12`) or
  `as at 2019-03-31`. An empty cell means no figure for that force.

Monthly peer figures can equally use the ordinary long layout with an `organisation`
column (`kpi_code, organisation, month, value`).
"""

from __future__ import annotations

from ..cells import cell_text, parse_month
from ..spreadsheets import column_letter
from .lookups import OrganisationLookup, find_kpi
from .period_cells import parse_day, parse_period, period_text
from .plans import PlanContext
from .problems import (
    EMPTY_CELL,
    FIGURE_TWICE,
    HEADER_DUPLICATE,
    HEADER_MISSING,
    HEADER_UNKNOWN,
    NOT_A_DATE,
    NOT_A_PERIOD,
    ORGANISATION_COLUMN_TWICE,
    PERIOD_BACKWARDS,
    Problems,
)
from .registry import OBSERVATIONS, Layout, register
from .table import Columns, HeaderRow, SheetRows, normalise_header, read_value

PEERS_LONG = "peers long"
PEERS_WIDE = "peers wide"
PEER_LAYOUTS = (PEERS_LONG, PEERS_WIDE)
PEERS_BATCH = "peers"  # ImportBatch.Kind.PEERS

LONG_REQUIRED = ("kpi_code", "organisation", "period_start", "period_end", "value")
IGNORED = ("kpi_name", "note", "notes", "source")


# --------------------------------------------------------------------------- detect
def detect_peers_long(header: HeaderRow, problems: Problems) -> Columns | None:
    """Long: the headers name period_start or period_end."""
    names = header.names
    if "period_start" not in names and "period_end" not in names:
        return None
    index: dict[str, int] = {}
    for pos, name in enumerate(names):
        if not name or name in IGNORED:
            continue
        if name in LONG_REQUIRED:
            index.setdefault(name, pos)
        else:
            problems.add(HEADER_UNKNOWN.format(header=header.text(pos)), header.row, pos)
    for name in LONG_REQUIRED:
        if name not in index:
            problems.add(HEADER_MISSING.format(name=name), header.row)
    report_duplicates(header, problems)
    return Columns(PEERS_LONG, index)


def detect_peers_wide(header: HeaderRow, problems: Problems) -> Columns | None:
    """Wide: `kpi_code`, a period column, and every other column a force (one known at least)."""
    names = header.names
    if "kpi_code" not in names or "month" not in names:
        return None
    others = [
        (pos, header.text(pos))
        for pos, name in enumerate(names)
        if name and name not in ("kpi_code", "month", *IGNORED)
    ]
    if not others or any(parse_month(t) is not None or normalise_header(t) == "value" for _, t in others):
        return None
    orgs = OrganisationLookup()
    if not any(orgs.get(text) is not None for _, text in others):
        return None
    columns = Columns(PEERS_WIDE, {"kpi_code": names.index("kpi_code"), "period": names.index("month")})
    seen: dict[int, int] = {}
    for pos, text in others:
        org_id = orgs.get(text)
        if org_id is None:
            problems.add(orgs.unknown_message(text), header.row, pos)
        elif org_id in seen:
            other = column_letter(seen[org_id])
            problems.add(ORGANISATION_COLUMN_TWICE.format(header=text, other=other), header.row, pos)
        else:
            seen[org_id] = pos
            columns.organisations[pos] = org_id
    report_duplicates(header, problems)
    return columns


def report_duplicates(header: HeaderRow, problems: Problems) -> None:
    first: dict[str, int] = {}
    for pos, name in enumerate(header.names):
        if not name:
            continue
        if name in first and name in (*LONG_REQUIRED, "month"):
            other = column_letter(first[name])
            problems.add(HEADER_DUPLICATE.format(header=header.text(pos), other=other), header.row, pos)
        first.setdefault(name, pos)


# --------------------------------------------------------------------------- plan
def plan_peers(rows: SheetRows, columns: Columns, problems: Problems, context: PlanContext) -> None:
    """One observation per KPI, force and stated period, keyed (kpi_id, org_id, start, end)."""
    plan, header, idx = context.plan, rows.header, columns.index
    names = context.organisations.names
    for number, cells in rows.body:

        def cell(pos, cells=cells):
            return cells[pos] if pos is not None and pos < len(cells) else None

        kpi_col = idx["kpi_code"]
        kpi_id, code = find_kpi(cell(kpi_col), context.kpis, number, kpi_col, header.text(kpi_col), problems)
        if columns.layout == PEERS_WIDE:
            period = wide_period(cell(idx["period"]), number, idx["period"], header, problems)
            figures = [
                (org_id, pos, read_value(cell(pos), number, pos, header.text(pos), problems, empty_ok=True))
                for pos, org_id in columns.organisations.items()
            ]
        else:
            period = long_period(cell, idx, number, header, problems)
            org_col, value_col = idx["organisation"], idx["value"]
            org_id = context.organisations.find(
                cell(org_col), number, org_col, header.text(org_col), problems
            )
            value = read_value(
                cell(value_col), number, value_col, header.text(value_col), problems, empty_ok=False
            )
            figures = [(org_id, value_col, value)]
        if kpi_id is None or period is None:
            continue
        for org_id, pos, value in figures:
            if org_id is None or value is None:
                continue
            first = plan.add((kpi_id, org_id, *period), value, number)
            if first is not None:
                message = FIGURE_TWICE.format(
                    code=code,
                    organisation=names.get(org_id, ""),
                    period=period_text(*period),
                    first_row=first,
                )
                problems.add(message, number, pos, header.text(pos))


def wide_period(raw, number: int, pos: int, header: HeaderRow, problems: Problems):
    period = parse_period(raw)
    if period is None:
        text = cell_text(raw)
        message = NOT_A_PERIOD.format(text=text[:60]) if text else EMPTY_CELL.format(name="period")
        problems.add(message, number, pos, header.text(pos))
    return period


def long_period(cell, idx: dict, number: int, header: HeaderRow, problems: Problems):
    ends = []
    for name in ("period_start", "period_end"):
        pos = idx[name]
        raw = cell(pos)
        day = parse_day(raw, end=name == "period_end")
        if day is None:
            text = cell_text(raw)
            empty = EMPTY_CELL.format(name=name.replace("_", " "))
            problems.add(NOT_A_DATE.format(text=text[:60]) if text else empty, number, pos, header.text(pos))
        ends.append(day)
    start, end = ends
    if start is None or end is None:
        return None
    if end < start:
        pos = idx["period_end"]
        problems.add(PERIOD_BACKWARDS.format(start=start, end=end), number, pos, header.text(pos))
        return None
    return start, end


register(
    Layout(
        name=PEERS_LONG,
        label="peer figures, long",
        kind=OBSERVATIONS,
        detect=detect_peers_long,
        plan=plan_peers,
        headers="'kpi_code, organisation, period_start, period_end, value'",
        order=10,
        batch_kind=PEERS_BATCH,
    )
)
register(
    Layout(
        name=PEERS_WIDE,
        label="peer figures, wide",
        kind=OBSERVATIONS,
        detect=detect_peers_wide,
        plan=plan_peers,
        headers="'kpi_code, period' then one column per force",
        order=20,
        batch_kind=PEERS_BATCH,
    )
)
