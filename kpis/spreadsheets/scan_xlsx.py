"""What python-calamine does not tell about an xlsx, read from its XML before it parses.

calamine gives a formula's saved value but says nothing of a formula saved without one,
nor of number formats, and lays the cells out as a rectangle from A1 to the furthest cell.
So, for each sheet read:

- styles.xml says which cell styles are percentages (0.72 shown as 72%);
- a quick pass over the sheet's XML bounds how far down and right its cells reach (refusing
  a sheet too large to lay out) and finds whether any formula, percentage-styled cell, cell
  without a reference or prefixed element name is there at all, counting bytes and with a
  few regular expressions per 16 MB;
- only when one is there, an exact pass (defusedxml, streaming) notes each such cell.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from .archive import whole_elements
from .problems import (
    MAX_CELLS,
    MAX_COLUMNS,
    NOT_A_WORKBOOK,
    XML_UNSAFE,
    ImportRefused,
    SheetMarks,
    column_index,
    reason_of,
    refusal,
    too_many_cells,
)

ROW_END = re.compile(rb"</(?:\w+:)?row>")
# Cell references with a row number of exactly so many digits (7: seven or more).
CELL_ROWS = {
    digits: re.compile(rb' r="[A-Z]{1,3}(\d{%d%s})"' % (digits, b"," if digits == 7 else b""))
    for digits in range(7, 0, -1)
}
CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
FORMULA_TAGS = (b"<f>", b"<f ", b"<f/>")
WIDE_COLUMNS = re.compile(rb' r="([A-Z]{2,3})\d')
PERCENT_BUILTIN_FORMATS = {9, 10}
# A sheet is laid out as rows × columns cells in calamine (and in Python): this many at most.
MAX_EXPANDED_CELLS = 2 * MAX_CELLS
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_part(archive: zipfile.ZipFile, member: str, file_name: str):
    """A small XML part (workbook, relations, styles) parsed whole with defusedxml."""
    try:
        return fromstring(archive.read(member), forbid_dtd=True)
    except KeyError:
        return None
    except DefusedXmlException:
        raise refusal(file_name, XML_UNSAFE) from None
    except Exception as exc:
        raise refusal(
            file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=f"{member}: {reason_of(exc)}")
        ) from None


def xlsx_sheet_parts(archive: zipfile.ZipFile, file_name: str) -> dict[str, str]:
    """Each worksheet's name and the zip part holding its cells, in workbook order."""
    workbook = xml_part(archive, "xl/workbook.xml", file_name)
    rels = xml_part(archive, "xl/_rels/workbook.xml.rels", file_name)
    if workbook is None or rels is None:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason="no workbook part"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels if local(r.tag) == "Relationship"}
    parts = {}
    for sheet in workbook.iter():
        if local(sheet.tag) == "sheet":
            target = targets.get(sheet.get(RELATIONSHIP_ID), "")
            parts[sheet.get("name", "")] = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    return parts


def xlsx_percent_styles(archive: zipfile.ZipFile, file_name: str) -> set[int]:
    """The cell style numbers whose number format shows a percentage."""
    styles = xml_part(archive, "xl/styles.xml", file_name)
    if styles is None:
        return set()
    formats = {}
    for fmt in styles.iter():
        if local(fmt.tag) == "numFmt":
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    found = set()
    for section in styles:
        if local(section.tag) != "cellXfs":
            continue
        for style_id, xf in enumerate(section):
            number_format = int(xf.get("numFmtId", "0"))
            code = formats.get(number_format, "").replace("\\%", "").replace('"%"', "")
            if number_format in PERCENT_BUILTIN_FORMATS or "%" in code:
                found.add(style_id)
    return found


def scan_xlsx_sheet(
    archive: zipfile.ZipFile, part: str, percent_styles: set[int], file_name: str
) -> SheetMarks | None:
    """Refuse a sheet too large to lay out; its marks when any cell needs them, else None."""
    percent_attr = (
        re.compile(rb' s="(?:' + b"|".join(str(s).encode() for s in sorted(percent_styles)) + rb')"')
        if percent_styles
        else None
    )
    last_row, width, needs_exact = 0, 0, False
    try:
        for number, piece in enumerate(whole_elements(archive, part, ROW_END)):
            wide = set(WIDE_COLUMNS.findall(piece))
            width = max(width, max((column_index(c.decode()) + 1 for c in wide), default=26))
            last_row = max(last_row, last_row_bound(piece, width))
            if width > MAX_COLUMNS or last_row * width > MAX_EXPANDED_CELLS:
                raise too_many_cells(file_name)
            needs_exact = (
                needs_exact
                or (number == 0 and b"<worksheet" not in piece[:65536])  # prefixed names: read exactly
                or sum(piece.count(tag) for tag in CELL_TAGS) != piece.count(b'<c r="')
                or any(tag in piece for tag in FORMULA_TAGS)
                or bool(percent_attr and percent_attr.search(piece))
            )
    except KeyError:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=f"no part {part}")) from None
    return exact_sheet_marks(archive, part, percent_styles, file_name) if needs_exact else None


def last_row_bound(piece: bytes, width: int) -> int:
    """The last row the piece's cells name, or a bound on it close enough for `width` columns:
    the longest row numbers are looked for first, and most sheets need look no further than
    "none has six digits"."""
    for digits, pattern in CELL_ROWS.items():
        found = pattern.findall(piece)
        if found:
            return max(map(int, found))
        below = 10 ** (digits - 1) - 1
        if below * width <= MAX_EXPANDED_CELLS:
            return below
    return 0


def exact_sheet_marks(
    archive: zipfile.ZipFile, part: str, percent_styles: set[int], file_name: str
) -> SheetMarks:
    """Stream the sheet with defusedxml: cells with a formula and no saved value, cells styled as
    percentages, and how far the cells reach (cells may leave out their reference)."""
    marks = SheetMarks()
    row_number, col, width = 0, 0, 0
    try:
        with archive.open(part) as source:
            for event, el in iterparse(source, events=("start", "end"), forbid_dtd=True):
                name = local(el.tag)
                if event == "start":
                    if name == "row":
                        row_number = int(el.get("r") or row_number + 1)
                        col = 0
                    continue
                if name == "c":
                    ref = el.get("r")
                    col = column_index(ref.rstrip("0123456789")) if ref else col
                    mark_cell(el, (row_number, col), percent_styles, marks)
                    col += 1
                    width = max(width, col)
                    if width > MAX_COLUMNS or row_number * width > MAX_EXPANDED_CELLS:
                        raise too_many_cells(file_name)
                elif name == "row":
                    el.clear()
    except ImportRefused:
        raise
    except DefusedXmlException:
        raise refusal(file_name, XML_UNSAFE) from None
    except Exception as exc:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=reason_of(exc))) from None
    return marks


def mark_cell(el, where: tuple[int, int], percent_styles: set[int], marks: SheetMarks) -> None:
    value = formula = None
    for child in el:
        name = local(child.tag)
        if name == "v":
            value = child.text
        elif name == "f":
            formula = child
    if formula is not None and not value:
        marks.formulas.add(where)
    elif value and el.get("t", "n") == "n" and int(el.get("s", "0")) in percent_styles:
        marks.percents.add(where)
