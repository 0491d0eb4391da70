"""A sheet as a header row and body rows, and which column of it is which.

The file reader (kpis/spreadsheets.py) gives rows of cells; here the first filled row
becomes the header row every layout recognises itself by, and the filled rows after it
the body that layout's planner reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property

from ..cells import FORMULA, FOUR_PLACES, MAX_VALUE, cell_text, parse_number
from ..spreadsheets import Sheet
from .problems import EMPTY_CELL, FORMULA_NO_VALUE, HEADER_EMPTY, MERGED_CELLS, Problems

# Headers people write for the same column.
HEADER_ALIASES = {
    "kpi": "kpi_code",
    "organization": "organisation",
    "force": "organisation",
    "period": "month",
    "national_mappings": "national_rows",
}


def normalise_header(value) -> str:
    """'KPI Code ' -> 'kpi_code'; 'Force' -> 'organisation' (HEADER_ALIASES)."""
    text = re.sub(r"[\s\-]+", "_", cell_text(value).lower()).strip("_")
    return HEADER_ALIASES.get(text, text)


def filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def row_filled(cells) -> bool:
    for c in cells:
        if c is not None and (c.__class__ is not str or c.strip()):
            return True
    return False


@dataclass
class HeaderRow:
    """The header row of a sheet: its cells as written, where it is, and its names."""

    cells: list
    row: int  # the spreadsheet's row number

    @cached_property
    def names(self) -> list[str]:
        """Each header normalised (normalise_header); '' for an empty one."""
        return [normalise_header(h) for h in self.cells]

    def text(self, pos: int) -> str:
        return cell_text(self.cells[pos]) if pos < len(self.cells) else ""


@dataclass
class SheetRows:
    """One sheet's header row and its filled body rows, as a layout's planner reads them."""

    name: str
    header: HeaderRow
    body: list[tuple[int, list]]  # (row number, cells)
    merged: list = field(default_factory=list)  # Sheet.merged


@dataclass
class Columns:
    """Which column is which, as a layout's `detect` found them in the header row."""

    layout: str
    index: dict[str, int] = field(default_factory=dict)  # column name -> position
    months: dict[int, date] = field(default_factory=dict)  # position -> month (wide layouts)
    organisations: dict[int, int] = field(default_factory=dict)  # position -> organisation id

    def positions(self) -> set[int]:
        return set(self.index.values()) | set(self.months) | set(self.organisations)


def split_sheet(sheet: Sheet) -> SheetRows | None:
    """The sheet's first filled row as its header row and the filled rows after it; None if empty."""
    at = next((i for i, (_, cells) in enumerate(sheet.rows) if row_filled(cells)), None)
    if at is None:
        return None
    row, cells = sheet.rows[at]
    body = [(n, c) for n, c in sheet.rows[at + 1 :] if row_filled(c)]
    return SheetRows(name=sheet.name, header=HeaderRow(cells, row), body=body, merged=sheet.merged)


def check_merged(rows: SheetRows, problems: Problems) -> None:
    for r1, c1, r2, _c2, ref in rows.merged:
        if r2 >= rows.header.row:
            problems.add(MERGED_CELLS.format(range=ref), r1, c1)


def check_headerless_columns(rows: SheetRows, columns: Columns, problems: Problems) -> None:
    used = columns.positions()
    named = {p for p, h in enumerate(rows.header.cells) if filled(h)}
    for number, cells in rows.body:
        for pos, value in enumerate(cells):
            if pos not in used and pos not in named and filled(value):
                problems.add(HEADER_EMPTY, number, pos)
                named.add(pos)  # once per column is enough


def read_value(raw, number: int, pos: int, header: str, problems: Problems, *, empty_ok: bool):
    """A figure cell as a Decimal; None, with a problem saying why, when it is not a number
    (an empty cell is a problem too unless empty_ok)."""
    if raw is FORMULA:
        problems.add(FORMULA_NO_VALUE, number, pos, header)
        return None
    if not filled(raw):
        if not empty_ok:
            problems.add(EMPTY_CELL.format(name="value"), number, pos, header)
        return None
    if type(raw) is str and "_" not in raw:  # Decimal() would accept 1_000
        try:  # the fast path: a plain number written as text (every cell of a CSV)
            value = Decimal(raw)
            if value.is_finite() and abs(value) < MAX_VALUE:
                return value.quantize(FOUR_PLACES)
        except InvalidOperation:
            pass
    try:
        return parse_number(raw)
    except ValueError as exc:
        problems.add(str(exc), number, pos, header)
        return None
