"""What python-calamine does not tell about an ods, read from content.xml before it parses.

calamine expands repeated rows and cells into a rectangle in memory and drops formulas that
were never calculated, percentage formats and merged ranges. So content.xml is first read
as a stream of whole rows:

- quick pass (always): per table, how far down the last filled row and how far right the
  last filled cell can reach once repeats are expanded, and refuse sheets too large to
  expand; and whether any formula, percentage or merged cell is there at all. It looks
  only at byte counts in each row, a few per cent of calamine's own time.
- exact pass (only when that found a formula, percentage or merged cell): defusedxml
  streams the XML and notes each such cell's position, as SheetMarks.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .archive import whole_elements
from .problems import (
    MAX_CELLS,
    MAX_COLUMNS,
    NOT_A_WORKBOOK,
    XML_UNSAFE,
    ImportRefused,
    SheetMarks,
    check_row_count,
    merged_range,
    reason_of,
    refusal,
    too_many_cells,
)

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# calamine reads ods elements by their usual prefixed names ('table:table-row'), as every
# spreadsheet program writes them; a file binding other prefixes would read as empty.
USUAL_PREFIXES = b'xmlns:table="' + TABLE_NS.encode() + b'"'
UNUSUAL_PREFIXES = "its XML does not name tables 'table:'; open it and save it again as .ods"
ROW_END = b"</table:table-row>"
ROW_END_PATTERN = re.compile(re.escape(ROW_END))
TABLE_START = re.compile(rb"<table:table[\s>]")
CELL_TAGS = (b"<table:table-cell", b"<table:covered-table-cell")
SHORTEST_CELL = b"<table:table-cell/>"
# Blank cells repeated to the sheet's edge at the end of a row, as LibreOffice writes them.
BLANK_FILLER = re.compile(
    rb'<table:table-cell (?:table:style-name="[^"<>]{1,64}" )?table:number-columns-repeated="\d+"/>'
    + re.escape(ROW_END)
)
REPEATED = re.compile(
    rb'(<table:(?:covered-)?table-cell|<table:table-row)\b[^>]*?number-(?:rows|columns)-repeated="(\d+)"'
)
VALUE_SIGNS = (b"office:value-type", b"<text:")
MARK_SIGNS = (b"table:formula=", b'"percentage"', b"-spanned=")
# A sheet expands to rows × columns cells in calamine (and in Python): this many at most.
MAX_EXPANDED_CELLS = 2 * MAX_CELLS


@dataclass
class TableReach:
    """How far one table reaches once its repeats are expanded."""

    position: int = 0  # rows so far, blank ones included
    last_filled: int = 0  # the position of the last row with a value
    width: int = 0  # the furthest a filled row reaches to the right


def scan_ods(archive: zipfile.ZipFile, file_name: str) -> list[SheetMarks] | None:
    """Refuse a content.xml too big to expand; marks per table when any cell needs them, else None."""
    tables: list[TableReach] = []
    needs_marks = False
    first = True
    for piece in whole_elements(archive, "content.xml", ROW_END_PATTERN):
        if first and USUAL_PREFIXES not in piece[:65536]:
            raise refusal(file_name, NOT_A_WORKBOOK.format(kind="OpenDocument", reason=UNUSUAL_PREFIXES))
        first = False
        needs_marks = needs_marks or any(sign in piece for sign in MARK_SIGNS)
        for index, segment in enumerate(TABLE_START.split(piece)):
            if index:
                tables.append(TableReach())
            if tables:
                measure_rows(segment, tables[-1], file_name)
    for reach in tables:
        check_reach(reach, file_name)
    return exact_marks(archive, file_name) if needs_marks else None


def measure_rows(segment: bytes, reach: TableReach, file_name: str) -> None:
    """Add whole rows of one table to its reach, counting bytes in C: a row is at most as wide
    as its bytes hold the shortest cell tags, so only rows long enough to pass MAX_COLUMNS
    that way have their cells counted, and only rows that repeat themselves or cells
    (LibreOffice's blank filler at a row's end aside) are looked into one by one."""
    if b"-repeated=" in segment:
        segment = BLANK_FILLER.sub(ROW_END, segment)
    rows = segment.split(ROW_END)[:-1]  # what follows the last row's end is no row
    if not rows:
        return
    widest = max(map(len, rows)) // len(SHORTEST_CELL)
    if widest > MAX_COLUMNS:
        widest = max(row.count(CELL_TAGS[0]) + row.count(CELL_TAGS[1]) for row in rows)
    if b"-repeated=" not in segment:
        reach.position += len(rows)
        reach.last_filled = reach.position
    else:
        for row in rows:
            if b"-repeated=" in row:
                measure_row(row, reach, file_name)
            else:
                reach.position += 1
                reach.last_filled = reach.position
    reach.width = max(reach.width, widest)


def measure_row(row: bytes, reach: TableReach, file_name: str) -> None:
    """Add one table row with repeats (its XML without the end tag) to its table's reach."""
    repeats = 1
    cells = row.count(CELL_TAGS[0]) + row.count(CELL_TAGS[1])
    for match in REPEATED.finditer(row):
        count = int(match.group(2))
        if match.group(1) == b"<table:table-row":
            repeats = count
        elif not trailing_blank_cell(row, match):
            cells += count - 1
    reach.position += repeats
    if any(sign in row for sign in VALUE_SIGNS):
        check_row_count(repeats, file_name)  # one row written once, repeated beyond the limit
        reach.last_filled = reach.position
        reach.width = max(reach.width, cells)


def check_reach(reach: TableReach, file_name: str) -> None:
    """Refuse a table wider than MAX_COLUMNS or that would expand beyond MAX_EXPANDED_CELLS."""
    if reach.width > MAX_COLUMNS or reach.last_filled * reach.width > MAX_EXPANDED_CELLS:
        raise too_many_cells(file_name)


def trailing_blank_cell(row: bytes, match: re.Match[bytes]) -> bool:
    """A repeated cell with no value that ends the row (LibreOffice's filler): it widens nothing."""
    end = row.find(b">", match.end())
    return (
        end == len(row) - 1
        and row[end - 1 : end] == b"/"
        and b"office:value-type" not in row[match.start() :]
    )


def exact_marks(archive: zipfile.ZipFile, file_name: str) -> list[SheetMarks]:
    """Stream content.xml with defusedxml (no DTDs, no entities) and note, per table, the cells
    that hold a formula with no value, the percentages and the merged ranges."""
    t, o = f"{{{TABLE_NS}}}", f"{{{OFFICE_NS}}}"
    table_tag, row_tag = t + "table", t + "table-row"
    marks: list[SheetMarks] = []
    reaches: list[TableReach] = []
    depth = 0
    try:
        with archive.open("content.xml") as source:
            for event, el in iterparse(source, events=("start", "end"), forbid_dtd=True):
                if event == "start":
                    if el.tag == table_tag:
                        depth += 1
                        if depth == 1:
                            marks.append(SheetMarks())
                            reaches.append(TableReach())
                    continue
                if el.tag == table_tag:
                    depth -= 1
                    el.clear()
                elif el.tag == row_tag and depth == 1:
                    reach = reaches[-1]
                    repeat = int(el.get(t + "number-rows-repeated", "1"))
                    width = mark_row(el, t, o, reach.position + 1, marks[-1])
                    reach.position += repeat
                    if width:
                        check_row_count(repeat, file_name)
                        reach.last_filled, reach.width = reach.position, max(reach.width, width)
                        check_reach(reach, file_name)
                    el.clear()
    except ImportRefused:
        raise
    except DefusedXmlException:
        raise refusal(file_name, XML_UNSAFE) from None
    except Exception as exc:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind="OpenDocument", reason=reason_of(exc))) from None
    return marks


def mark_row(el, t: str, o: str, row_number: int, marks: SheetMarks) -> int:
    """Note the row's marked cells; how far right its last filled one is (0: none is)."""
    col, width = 0, 0
    for cell in el:
        if not cell.tag.endswith("table-cell"):
            continue
        repeat = int(cell.get(t + "number-columns-repeated", "1"))
        kind = cell.get(o + "value-type")
        if kind is None and cell.get(t + "formula"):
            marks.formulas.add((row_number, col))
            width = col + 1
        elif kind is not None or len(cell):
            width = col + repeat
            if kind == "percentage":
                marks.percents.update((row_number, c) for c in range(col, min(col + repeat, MAX_COLUMNS + 1)))
        spans = (
            int(cell.get(t + "number-columns-spanned", "1")),
            int(cell.get(t + "number-rows-spanned", "1")),
        )
        if spans != (1, 1):
            marks.merged.append(merged_range(row_number, col, row_number + spans[1] - 1, col + spans[0] - 1))
        col += repeat
    return width
