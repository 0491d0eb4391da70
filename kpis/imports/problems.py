"""Every message an import can show, and the collector that gathers the problems of one file.

A problem says what is wrong and where (file, row, column); a file with any problem writes
nothing. Messages about reading the file at all (size, zip bombs, encodings) belong to the
file reader, kpis/spreadsheets.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spreadsheets import ImportProblem, column_letter

# --------------------------------------------------------------------------- whole file
NO_DATA_ROWS = "The sheet has headers but no data rows."
UNKNOWN_LAYOUT = "The headers do not match a known layout. Use {layouts}."
WRONG_KIND = "This is {found} file, not {expected} file: import it on the {page} page."
CONCURRENT_CHANGE = (
    "Another import changed the same figures at the same moment: nothing was written, try again."
)
NO_HOME_FORCE = (
    "The file does not say whose figures these are and no home force is set: choose the "
    "organisation on the import form (--organisation for the import command), add an "
    "organisation column, or make one organisation the home force (Organisations, action "
    "'Make the selected organisation the home force')."
)
IN_SHEET = "Sheet '{sheet}': {message}"
MORE_PROBLEMS = "… and {count:,} more problems not listed."

# --------------------------------------------------------------------------- headers
HEADER_MISSPELT = "Header '{header}' is not a known column; did you mean '{suggestion}'?"
HEADER_UNKNOWN = "Header '{header}' is not a known column or a month."
HEADER_MISSING = "Column '{name}' is missing."
HEADER_DUPLICATE = "Header '{header}' appears twice (also in column {other})."
HEADER_EMPTY = "This column has figures but no header."
MONTH_HEADER_TWICE = "Month {month} has two columns (also column {other})."
ORGANISATION_COLUMN_TWICE = "Force '{header}' has two columns (also column {other})."
MERGED_CELLS = "Cells {range} are merged: unmerge them and give each cell its own value."

# --------------------------------------------------------------------------- cells
EMPTY_CELL = "The {name} is empty."
NOT_A_MONTH = "'{text}' is not a month: write it as 2018-04, Apr-18 or a date."
NOT_A_PERIOD = (
    "'{text}' is not a period: write a month (2018-04), a financial year (2018/19), a quarter "
    "(Q3 2018/19), a run of months (Jan 2018 – Dec 2018) or 'as at 2019-03-31'."
)
NOT_A_DATE = "'{text}' is not a date: write it as 2018-01-01 or 01/01/2018."
PERIOD_BACKWARDS = "The period ends ({end}) before it starts ({start})."
FORMULA_NO_VALUE = "The cell holds a formula with no saved value: open the file, recalculate and save it."
LONG_VALUE_EMPTY = (
    "The value is empty: give the month's figure, or delete the row if there is none yet "
    "(a long file lists only the months that have figures)."
)
UNKNOWN_KPI = "There is no KPI with code '{code}'."
UNKNOWN_KPI_SUGGEST = "There is no KPI with code '{code}'; nearest codes: {suggestions}."
UNKNOWN_ORGANISATION = (
    "There is no organisation '{text}': add it under Organisations, or write the name or code it has there."
)
UNKNOWN_ORGANISATION_SUGGEST = (
    "There is no organisation '{text}'; did you mean {suggestions}? If it is another name for "
    "one of them, add it to that organisation's other names (Organisations)."
)
MONTH_TWICE = "KPI {code} has a value for {month} twice (first in row {first_row})."
FIGURE_TWICE = "KPI {code} has a figure for {organisation} for {period} twice (first in row {first_row})."
CODE_TWICE = "KPI code '{code}' appears twice (first in row {first_row})."
BAD_CHOICE = "'{text}' is not a valid {name}: use one of {choices}."
BAD_DECIMALS = "'{text}' is not a number of decimal places between 0 and 6."
TEXT_TOO_LONG = "The {name} is {length} characters; the limit is {limit}."

# --------------------------------------------------------------------------- notes (not problems)
SHEET_SKIPPED = "Sheet '{sheet}' was skipped: its headers are not the {label} layout."

MAX_PROBLEMS_LISTED = 500


@dataclass
class _Tally:
    """What every view of one file's collector shares."""

    items: list[ImportProblem] = field(default_factory=list)
    count: int = 0
    once: set[str] = field(default_factory=set)


class Problems:
    """Collects a file's problems, listing the first MAX_PROBLEMS_LISTED and counting the rest.

    `in_sheet(name)` is a view of the same collector whose messages name the sheet, for
    layouts that read every sheet of a workbook.
    """

    def __init__(self, file_name: str, *, sheet: str = "", tally: _Tally | None = None):
        self.file_name = file_name
        self.sheet = sheet
        self.tally = tally or _Tally()

    @property
    def count(self) -> int:
        return self.tally.count

    def add(self, message: str, row: int | None = None, col: int | None = None, header: str = "") -> None:
        self.tally.count += 1
        if len(self.tally.items) < MAX_PROBLEMS_LISTED:
            letter = column_letter(col) if col is not None else None
            if self.sheet:
                message = IN_SHEET.format(sheet=self.sheet, message=message)
            self.tally.items.append(ImportProblem(self.file_name, message, row, letter, header))

    def add_once(self, message: str) -> None:
        """A whole-file problem that many rows may find: listed once."""
        if message not in self.tally.once:
            self.tally.once.add(message)
            self.add(message)

    def in_sheet(self, sheet: str) -> Problems:
        return Problems(self.file_name, sheet=sheet, tally=self.tally)

    def listed(self) -> list[ImportProblem]:
        items = self.tally.items
        if self.tally.count > len(items):
            extra = MORE_PROBLEMS.format(count=self.tally.count - len(items))
            return [*items, ImportProblem(self.file_name, extra)]
        return list(items)

    def __bool__(self) -> bool:
        return self.tally.count > 0
