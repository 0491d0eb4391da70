"""Reading spreadsheet files safely: the sheets of an xlsx, ods or csv file as Python values.

`read_sheet(...)` returns the cells of one sheet with their row numbers, and
`read_workbook(...)` every sheet of a workbook in order (or every CSV file of a zip
archive), or they raise ImportRefused saying in plain words why the file cannot be read.
The file is whatever was uploaded, so reading is defensive: size, row and cell limits,
zip-bomb checks before a workbook is opened, no DTD or entity declarations in any XML part,
no macros, no legacy .xls. xlsx and ods are parsed by python-calamine (workbook.py), CSV by
the csv module (delimited.py). Formulas saved without a value come back as `cells.FORMULA`;
what the cells people write mean as months, numbers and text is kpis/cells.py.

What the cells mean (layouts, KPIs, organisations) and writing them is the import code.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from .delimited import read_csv, read_csv_archive
from .problems import (
    ARCHIVE_EMPTY,
    ARCHIVE_NOT_CSV,
    CSV_BROKEN,
    CSV_ENCODING,
    FILE_EMPTY,
    FILE_TOO_BIG,
    LEGACY_XLS,
    MACRO_WORKBOOK,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    NO_HEADER_ROW,
    NOT_A_WORKBOOK,
    SHEET_EXTENSIONS,
    SHEET_NOT_FOUND,
    TOO_MANY_CELLS,
    TOO_MANY_ROWS,
    TOO_MANY_WORKBOOK_ROWS,
    UNSUPPORTED_TYPE,
    WORKBOOK_EXTENSIONS,
    XML_UNSAFE,
    ZIP_BOMB,
    ImportProblem,
    ImportRefused,
    Sheet,
    column_letter,
    refusal,
)
from .workbook import EVERY_SHEET, read_workbook_sheets

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ARCHIVE_EMPTY",
    "ARCHIVE_NOT_CSV",
    "CSV_BROKEN",
    "CSV_ENCODING",
    "FILE_EMPTY",
    "FILE_TOO_BIG",
    "LEGACY_XLS",
    "MACRO_WORKBOOK",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "NO_HEADER_ROW",
    "NOT_A_WORKBOOK",
    "SHEET_NOT_FOUND",
    "TOO_MANY_CELLS",
    "TOO_MANY_ROWS",
    "TOO_MANY_WORKBOOK_ROWS",
    "UNSUPPORTED_TYPE",
    "WORKBOOK_EXTENSIONS",
    "XML_UNSAFE",
    "ZIP_BOMB",
    "ImportProblem",
    "ImportRefused",
    "Sheet",
    "column_letter",
    "read_sheet",
    "read_workbook",
]

ALLOWED_EXTENSIONS = SHEET_EXTENSIONS
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE files)


def read_sheet(*, content: bytes, file_name: str, sheet: str | None = None) -> Sheet:
    """Read one sheet (the named one, or the first) of an xlsx, ods or csv file, or raise
    ImportRefused saying why not."""
    ext = checked_extension(content, file_name, SHEET_EXTENSIONS)
    with cycle_collection_paused():
        if ext == ".csv":
            return read_csv(content, file_name)
        return read_workbook_sheets(content, file_name, ext, sheet)[0]


def read_workbook(*, content: bytes, file_name: str) -> list[Sheet]:
    """Read every sheet of an xlsx or ods file in workbook order, each named as in the file;
    a csv file is one sheet named ''; a zip archive of CSV files is one sheet per file,
    named by its path in the archive. Raises ImportRefused saying why a file cannot be read.

    Each sheet keeps to IMPORT_MAX_ROWS, and all of them together to IMPORT_MAX_WORKBOOK_ROWS.
    """
    ext = checked_extension(content, file_name, WORKBOOK_EXTENSIONS)
    with cycle_collection_paused():
        if ext == ".csv":
            return [read_csv(content, file_name)]
        if ext == ".zip":
            return read_csv_archive(content, file_name)
        return read_workbook_sheets(content, file_name, ext, EVERY_SHEET)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Reading builds millions of lists and strings, and each few hundred of them sets off
    Python's cycle collector, which walks every object built so far: several times the time
    the reading itself takes. None of them form cycles, so collection waits until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def checked_extension(content: bytes, file_name: str, allowed: tuple[str, ...]) -> str:
    """The file's extension, after refusing files too big, empty, legacy, with macros or of another type."""
    limit = settings.IMPORT_MAX_FILE_BYTES
    if len(content) > limit:
        raise refusal(file_name, FILE_TOO_BIG.format(size=len(content), limit=limit))
    if not content:
        raise refusal(file_name, FILE_EMPTY)
    ext = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    if content[:8] == OLE_SIGNATURE or ext == ".xls":
        raise refusal(file_name, LEGACY_XLS)
    if ext in (".xlsm", ".xltm", ".xlsb"):
        raise refusal(file_name, MACRO_WORKBOOK)
    if ext not in allowed:
        raise refusal(file_name, UNSUPPORTED_TYPE.format(ext=ext or file_name))
    return ext
