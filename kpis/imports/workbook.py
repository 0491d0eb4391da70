"""Every sheet of a workbook, for the layouts that read them all (one sheet per year, say).

The file reader, kpis/spreadsheets.py, reads one sheet at a time; this is the one place
that asks it for the others, so a reader of whole workbooks can take over here alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from ..spreadsheets import Sheet, read_sheet


def worksheet_names(content: bytes, file_name: str) -> list[str]:
    """The workbook's worksheets in workbook order; [] for a CSV file (it has one sheet)."""
    if file_name.lower().endswith(".csv"):
        return []
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
            return [s.name for s in workbook.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
    except (CalamineError, ValueError, OSError):
        return []  # the first sheet was read; a workbook calamine cannot list is read as that one


def every_sheet(content: bytes, file_name: str, first: Sheet) -> Iterator[Sheet]:
    """The sheet already read, then each other worksheet, read only when asked for.

    Raises ImportRefused (kpis.spreadsheets) when a later sheet cannot be read.
    """
    yield first
    for name in worksheet_names(content, file_name):
        if name != first.name:
            yield read_sheet(content=content, file_name=file_name, sheet=name)
