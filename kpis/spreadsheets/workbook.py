"""xlsx and ods workbooks read by python-calamine (Rust: quick-xml and zip), after the zip
and XML checks, with what calamine does not say (formulas without a value, percentages,
merged ods cells) added from the scans in scan_xlsx.py and scan_ods.py.

Cells come back as Python values: text; numbers as float, as calamine gives them (12.0,
which cells.parse_number and cells.cell_text read as 12); percentages as Decimal (72 for a
cell showing 72%); dates as date or datetime; booleans; `cells.FORMULA` for a formula saved
without a value; None for an empty cell.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from ..cells import FORMULA
from .archive import check_xml_parts, open_checked_zip
from .problems import (
    MAX_CELLS,
    NO_HEADER_ROW,
    NOT_A_WORKBOOK,
    SHEET_NOT_FOUND,
    Sheet,
    SheetMarks,
    check_row_count,
    check_workbook_row_count,
    merged_range,
    reason_of,
    refusal,
    too_many_cells,
)
from .scan_ods import scan_ods
from .scan_xlsx import scan_xlsx_sheet, xlsx_percent_styles, xlsx_sheet_parts

KIND = {".xlsx": "Excel", ".ods": "OpenDocument"}
EVERY_SHEET = object()  # read_workbook_sheets(sheet=EVERY_SHEET): all of them, in order


def read_workbook_sheets(content: bytes, file_name: str, ext: str, sheet=None) -> list[Sheet]:
    """The named sheet (or the first, or EVERY_SHEET) of an xlsx or ods file."""
    kind = KIND[ext]
    archive = open_checked_zip(content, file_name, kind)
    try:
        check_xml_parts(archive, file_name, kind)
        if ext == ".xlsx":
            return read_xlsx(archive, content, file_name, sheet)
        return read_ods(archive, content, file_name, sheet)
    finally:
        archive.close()


def open_calamine(content: bytes, file_name: str, kind: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except CalamineError as exc:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind=kind, reason=reason_of(exc))) from None


def chosen_names(names: list[str], sheet, file_name: str) -> list[str]:
    if sheet is EVERY_SHEET:
        return names
    if sheet and sheet not in names:
        raise refusal(file_name, SHEET_NOT_FOUND.format(sheet=sheet, names=", ".join(names)))
    return [sheet or names[0]]


def read_xlsx(archive: zipfile.ZipFile, content: bytes, file_name: str, sheet) -> list[Sheet]:
    parts = xlsx_sheet_parts(archive, file_name)
    percent_styles = xlsx_percent_styles(archive, file_name)
    workbook = open_calamine(content, file_name, "Excel")
    with workbook:
        names = [
            m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet and m.name in parts
        ]
        if not names:
            raise refusal(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason="no worksheets"))
        sheets, total = [], 0
        for name in chosen_names(names, sheet, file_name):
            marks = scan_xlsx_sheet(archive, parts[name], percent_styles, file_name) or SheetMarks()
            found = calamine_sheet(workbook, name, file_name, "Excel")
            for (r1, c1), (r2, c2) in found.merged_cell_ranges or []:
                marks.merged.append(merged_range(r1 + 1, c1, r2 + 1, c2))
            sheets.append(sheet_of(found, name, marks, file_name))
            total += len(sheets[-1].rows)
            check_workbook_row_count(total, file_name)
        return sheets


def read_ods(archive: zipfile.ZipFile, content: bytes, file_name: str, sheet) -> list[Sheet]:
    if "content.xml" not in archive.namelist():
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind="OpenDocument", reason="no content.xml"))
    table_marks = scan_ods(archive, file_name)
    workbook = open_calamine(content, file_name, "OpenDocument")
    with workbook:
        names = workbook.sheet_names
        if not names:
            named = sheet if isinstance(sheet, str) else None
            raise refusal(
                file_name, SHEET_NOT_FOUND.format(sheet=named, names="") if named else NO_HEADER_ROW
            )
        sheets, total = [], 0
        for name in chosen_names(names, sheet, file_name):
            index = names.index(name)
            marks = table_marks[index] if table_marks and index < len(table_marks) else SheetMarks()
            found = calamine_sheet(workbook, name, file_name, "OpenDocument")
            sheets.append(sheet_of(found, name, marks, file_name))
            total += len(sheets[-1].rows)
            check_workbook_row_count(total, file_name)
        return sheets


def calamine_sheet(workbook: CalamineWorkbook, name: str, file_name: str, kind: str) -> CalamineSheet:
    try:
        return workbook.get_sheet_by_name(name)
    except CalamineError as exc:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind=kind, reason=reason_of(exc))) from None


def sheet_of(found: CalamineSheet, name: str, marks: SheetMarks, file_name: str) -> Sheet:
    """calamine's rectangle of cells as numbered rows of Python values, empty rows left out."""
    rows = []
    for number, cells in enumerate(found.to_python(skip_empty_area=False), 1):
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append((number, [None if v == "" else v for v in cells] if "" in cells else cells))
    if marks.formulas or marks.percents:
        rows = marked_rows(rows, marks)
    check_row_count(len(rows), file_name)
    if sum(len(cells) for _, cells in rows) > MAX_CELLS:
        raise too_many_cells(file_name)
    return Sheet(name=name, rows=rows, merged=marks.merged)


def marked_rows(rows: list[tuple[int, list]], marks: SheetMarks) -> list[tuple[int, list]]:
    """Put FORMULA where a formula has no value, and percentages as 72 for 72%."""
    by_number = dict(rows)
    for number, col in marks.percents:
        cells = by_number.get(number)
        if (
            cells
            and col < len(cells)
            and isinstance(cells[col], int | float)
            and not isinstance(cells[col], bool)
        ):
            cells[col] = Decimal(repr(cells[col])) * 100
    for number, col in marks.formulas:
        cells = by_number.setdefault(number, [])
        if col >= len(cells):
            cells.extend([None] * (col + 1 - len(cells)))
        if cells[col] is None:
            cells[col] = FORMULA
    return sorted(by_number.items())
