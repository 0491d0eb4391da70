"""The sheets an import reads: the one asked for, or every sheet of the workbook.

A layout reading every sheet (one per financial year, say) plans them all; any other
layout plans the first sheet it recognises. A zip archive of CSV files is a workbook
whose sheets are its files (kpis.spreadsheets.read_workbook).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..spreadsheets import Sheet, read_sheet, read_workbook


def workbook_sheets(content: bytes, file_name: str, sheet: str | None) -> Iterator[Sheet]:
    """The sheet named `sheet`, or every sheet in workbook order when it is None.

    Raises ImportRefused (kpis.spreadsheets) when the file cannot be read.
    """
    if sheet is not None:
        return iter([read_sheet(content=content, file_name=file_name, sheet=sheet)])
    return iter(read_workbook(content=content, file_name=file_name))
