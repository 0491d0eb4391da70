"""What a read gives back (a Sheet and its marks) and what it refuses with (ImportRefused,
the messages, the limits), shared by every reader in this package."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

# --------------------------------------------------------------------------- messages
# Whole-file problems.
FILE_TOO_BIG = "The file is {size:,} bytes; the limit is {limit:,} bytes."
FILE_EMPTY = "The file is empty."
TOO_MANY_ROWS = "The sheet has more than {limit:,} rows; split it into smaller files."
TOO_MANY_WORKBOOK_ROWS = "The workbook has more than {limit:,} rows in all; split it into smaller files."
TOO_MANY_CELLS = (
    "The sheet has more than {limit:,} filled cells or {columns:,} columns; split it into smaller files."
)
UNSUPPORTED_TYPE = "Files ending '{ext}' cannot be imported: save the sheet as .xlsx, .ods or .csv."
LEGACY_XLS = "This is an old-style Excel .xls file: save it as .xlsx (Excel Workbook) and import that."
MACRO_WORKBOOK = "Workbooks with macros (.xlsm) are not accepted: save it as .xlsx (Excel Workbook)."
NOT_A_WORKBOOK = "The file is not a readable {kind} workbook ({reason})."
ZIP_BOMB = (
    "The workbook expands to {size:,} bytes when unpacked ({ratio:,.0f} times its size), which is "
    "far more than any real sheet: refused as a possible zip bomb."
)
XML_UNSAFE = "The workbook contains XML that is not allowed (entity or DTD declarations): refused."
CSV_ENCODING = "The CSV file is neither UTF-8 nor Windows-1252 text."
CSV_BROKEN = "The CSV file cannot be read: {reason}."
ARCHIVE_NOT_CSV = (
    "The zip archive holds '{member}', which is not a .csv file: only CSV files are read from an archive."
)
ARCHIVE_EMPTY = "The zip archive holds no .csv files."
SHEET_NOT_FOUND = "There is no sheet named '{sheet}'. The sheets are: {names}."
NO_HEADER_ROW = "The sheet has no header row: it is empty."

# --------------------------------------------------------------------------- limits
SHEET_EXTENSIONS = (".xlsx", ".ods", ".csv")
WORKBOOK_EXTENSIONS = (*SHEET_EXTENSIONS, ".zip")
# A real sheet compresses 5–50 times; deflate cannot do better than about 1,000. A 15 MB ods
# of national tables unpacks to several hundred MB of XML, read as a stream.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
# CSV files are read whole into memory, unlike a workbook's XML: a zip of them holds less.
# Three years of police.uk street-level files for the largest force unpack to ~150 MB.
MAX_CSV_ARCHIVE_BYTES = 400 * 1024 * 1024
# Bounds on what a sheet may hold in memory, whatever its rows: 20 years of monthly columns
# fit easily; a sheet of a million repeated cells does not get expanded.
MAX_COLUMNS = 1000
MAX_CELLS = 3_000_000


# --------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file, where it is, and what is wrong."""

    file_name: str
    message: str
    row: int | None = None
    column: str | None = None  # column letter, e.g. "C"
    header: str = ""

    @property
    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return f"{self.file_name}, {where}: {self.message}" if where else f"{self.file_name}: {self.message}"


class ImportRefused(Exception):
    """The file cannot be imported; `problems` says why."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def refusal(file_name: str, message: str) -> ImportRefused:
    return ImportRefused([ImportProblem(file_name, message)])


def too_many_cells(file_name: str) -> ImportRefused:
    return refusal(file_name, TOO_MANY_CELLS.format(limit=MAX_CELLS, columns=MAX_COLUMNS))


def check_row_count(count: int, file_name: str) -> None:
    """Refuse a sheet with more rows than IMPORT_MAX_ROWS."""
    if count > settings.IMPORT_MAX_ROWS:
        raise refusal(file_name, TOO_MANY_ROWS.format(limit=settings.IMPORT_MAX_ROWS))


def check_workbook_row_count(count: int, file_name: str) -> None:
    """Refuse a workbook whose sheets hold more rows together than IMPORT_MAX_WORKBOOK_ROWS."""
    if count > settings.IMPORT_MAX_WORKBOOK_ROWS:
        raise refusal(file_name, TOO_MANY_WORKBOOK_ROWS.format(limit=settings.IMPORT_MAX_WORKBOOK_ROWS))


def reason_of(exc: BaseException) -> str:
    """The first line of an exception's text, short enough to show."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


# --------------------------------------------------------------------------- results
@dataclass
class Sheet:
    """The cells of one sheet: rows of Python values with their spreadsheet row numbers."""

    name: str
    rows: list[tuple[int, list]]  # (row number, cells)
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r1, c1, r2, c2, "A1:B2"


@dataclass
class SheetMarks:
    """What the XML of one sheet says that its values alone do not: cells holding a formula
    never calculated, cells formatted as percentages, merged ranges. Rows count from 1,
    columns from 0, as in `Sheet`."""

    formulas: set[tuple[int, int]] = field(default_factory=set)
    percents: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)


def merged_range(r1: int, c1: int, r2: int, c2: int) -> tuple[int, int, int, int, str]:
    """A merged range as Sheet.merged holds it, with its A1:B2 reference."""
    return (r1, c1, r2, c2, f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}")
