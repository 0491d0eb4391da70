"""Reading spreadsheet files safely: one sheet of an xlsx, ods or csv file as Python values.

`read_sheet(...)` returns the cells of one sheet with their row numbers, or raises
ImportRefused saying in plain words why the file cannot be read. The file is whatever was
uploaded, so reading is defensive: size, row and cell limits, zip-bomb checks before a
workbook is opened, defusedxml for every XML part, no macros, no legacy .xls.
Formulas saved without a value come back as `cells.FORMULA`; what the cells people write
mean as months, numbers and text is kpis/cells.py.

What the cells mean (layouts, KPIs, organisations) and writing them is kpis/importing.py.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from .cells import FORMULA

# --------------------------------------------------------------------------- messages
# Whole-file problems.
FILE_TOO_BIG = "The file is {size:,} bytes; the limit is {limit:,} bytes."
FILE_EMPTY = "The file is empty."
TOO_MANY_ROWS = "The sheet has more than {limit:,} rows; split it into smaller files."
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
SHEET_NOT_FOUND = "There is no sheet named '{sheet}'. The sheets are: {names}."
NO_HEADER_ROW = "The sheet has no header row: it is empty."

# Cell problems.

# --------------------------------------------------------------------------- limits
ALLOWED_EXTENSIONS = (".xlsx", ".ods", ".csv")
# A real sheet compresses 5–30 times; deflate cannot do better than about 1,000.
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
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


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------- reading
@dataclass
class Sheet:
    """The cells of one sheet: rows of Python values with their spreadsheet row numbers."""

    name: str
    rows: list[tuple[int, list]]  # (row number, cells)
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r1, c1, r2, c2, "A1:B2"


def _refuse(file_name: str, message: str) -> ImportRefused:
    return ImportRefused([ImportProblem(file_name, message)])


def read_sheet(*, content: bytes, file_name: str, sheet: str | None = None) -> Sheet:
    """Read one sheet of an xlsx, ods or csv file, or raise ImportRefused saying why not."""
    limit = settings.IMPORT_MAX_FILE_BYTES
    if len(content) > limit:
        raise _refuse(file_name, FILE_TOO_BIG.format(size=len(content), limit=limit))
    if not content:
        raise _refuse(file_name, FILE_EMPTY)
    ext = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or ext == ".xls":
        raise _refuse(file_name, LEGACY_XLS)
    if ext in (".xlsm", ".xltm", ".xlsb"):
        raise _refuse(file_name, MACRO_WORKBOOK)
    if ext not in ALLOWED_EXTENSIONS:
        raise _refuse(file_name, UNSUPPORTED_TYPE.format(ext=ext or file_name))
    if ext == ".csv":
        return _read_csv(content, file_name)
    archive = _open_zip(content, file_name, "Excel" if ext == ".xlsx" else "OpenDocument")
    try:
        if ext == ".xlsx":
            return _read_xlsx(archive, content, file_name, sheet)
        return _read_ods(archive, file_name, sheet)
    finally:
        archive.close()


def _open_zip(content: bytes, file_name: str, kind: str) -> zipfile.ZipFile:
    """Open the workbook's zip after checking it cannot expand into a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(
            file_name, NOT_A_WORKBOOK.format(kind=kind, reason=str(exc) or "not a zip file")
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _refuse(file_name, NOT_A_WORKBOOK.format(kind=kind, reason=f"{len(infos)} parts"))
    total = sum(i.file_size for i in infos)
    compressed = max(sum(i.compress_size for i in infos), 1)
    # A per-part ratio catches a bomb hidden beside large incompressible parts.
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 1_000_000), default=0)
    if total > MAX_UNCOMPRESSED_BYTES or worst > MAX_COMPRESSION_RATIO:
        raise _refuse(file_name, ZIP_BOMB.format(size=total, ratio=max(total / compressed, worst)))
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise _refuse(file_name, MACRO_WORKBOOK)
    return archive


class _TooWide(Exception):
    pass


def _too_many_cells(file_name: str) -> ImportRefused:
    return _refuse(file_name, TOO_MANY_CELLS.format(limit=MAX_CELLS, columns=MAX_COLUMNS))


def _limit_rows(count: int, file_name: str) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise _refuse(file_name, TOO_MANY_ROWS.format(limit=settings.IMPORT_MAX_ROWS))


def _read_csv(content: bytes, file_name: str) -> Sheet:
    if content.startswith(b"\xef\xbb\xbf"):
        text = content[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise _refuse(file_name, CSV_ENCODING) from None
    if "\x00" in text:
        raise _refuse(file_name, CSV_ENCODING)
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    rows = []
    limit = settings.IMPORT_MAX_ROWS
    cells_total = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            rows.append((number, cells))
            cells_total += len(cells)
            if cells_total > MAX_CELLS or len(cells) > MAX_COLUMNS:
                raise _too_many_cells(file_name)
            if number > limit:
                _limit_rows(len(rows), file_name)
    except csv.Error as exc:
        raise _refuse(file_name, CSV_BROKEN.format(reason=exc)) from None
    return Sheet(name="", rows=rows)


def _read_xlsx(archive: zipfile.ZipFile, content: bytes, file_name: str, sheet: str | None) -> Sheet:
    """Read one worksheet with openpyxl's own parts readers (defusedxml underneath).

    openpyxl's load_workbook(read_only=True) scans every sheet once just to size it; reading
    the workbook parts and then streaming only the wanted sheet saves that whole pass.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml must be installed and active for spreadsheet imports"

    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise _refuse(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=_reason(exc))) from None
    try:
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [
                (ws.name, rel.target)
                for ws, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
        except Exception as exc:  # openpyxl raises many types for broken files, wrapping the cause
            if _caused_by_unsafe_xml(exc):
                raise _refuse(file_name, XML_UNSAFE) from None
            raise _refuse(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=_reason(exc))) from None
        names = [name for name, _ in sheets]
        if not sheets:
            raise _refuse(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason="no worksheets"))
        if sheet and sheet not in names:
            raise _refuse(file_name, SHEET_NOT_FOUND.format(sheet=sheet, names=", ".join(names)))
        title, target = sheets[names.index(sheet)] if sheet else sheets[0]
        wb = reader.wb
        percent_styles = _xlsx_percent_styles(wb)

        class Parser(WorkSheetParser):
            def parse_cell(self, element):
                cell = super().parse_cell(element)
                if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                    cell["value"] = FORMULA
                elif cell["style_id"] in percent_styles and isinstance(cell["value"], (int, float)):
                    # A cell formatted as a percentage holds 0.72 for 72%.
                    cell["value"] = Decimal(repr(cell["value"])) * 100
                return cell

        rows = []
        limit = settings.IMPORT_MAX_ROWS
        cells_total = 0
        with reader.archive.open(target) as src:
            parser = Parser(
                src,
                reader.shared_strings,
                data_only=True,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            try:
                for number, cells in parser.parse():
                    if not cells:
                        continue
                    values = [None] * cells[-1]["column"]
                    for c in cells:
                        values[c["column"] - 1] = c["value"]
                    rows.append((number, values))
                    cells_total += len(values)
                    if cells_total > MAX_CELLS or len(values) > MAX_COLUMNS:
                        raise _too_many_cells(file_name)
                    if len(rows) > limit:
                        _limit_rows(len(rows), file_name)
            except ImportRefused:
                raise
            except Exception as exc:
                if _caused_by_unsafe_xml(exc):
                    raise _refuse(file_name, XML_UNSAFE) from None
                raise _refuse(file_name, NOT_A_WORKBOOK.format(kind="Excel", reason=_reason(exc))) from None
            merged = []
            if parser.merged_cells is not None:
                for mc in parser.merged_cells.mergeCell:
                    c1, r1, c2, r2 = range_boundaries(mc.ref)
                    merged.append((r1, c1 - 1, r2, c2 - 1, mc.ref))
        return Sheet(name=title, rows=rows, merged=merged)
    finally:
        reader.archive.close()


def _xlsx_percent_styles(wb) -> set[int]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    found = set()
    custom = {i + 164: fmt for i, fmt in enumerate(wb._number_formats)}
    for style_id, style in enumerate(wb._cell_styles):
        fmt = BUILTIN_FORMATS.get(style.numFmtId) or custom.get(style.numFmtId, "")
        if "%" in fmt.replace("\\%", "").replace('"%"', ""):
            found.add(style_id)
    return found


def _xml_unsafe_errors() -> tuple[type[Exception], ...]:
    from defusedxml import DefusedXmlException

    return (DefusedXmlException,)


def _caused_by_unsafe_xml(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _xml_unsafe_errors()):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _read_ods(archive: zipfile.ZipFile, file_name: str, sheet: str | None) -> Sheet:
    """Stream content.xml with defusedxml (no DTDs, no entities), one table row at a time."""
    from defusedxml.ElementTree import iterparse

    t, o = f"{{{_ODS_TABLE}}}", f"{{{_ODS_OFFICE}}}"
    TABLE, ROW, CELL, COVERED = t + "table", t + "table-row", t + "table-cell", t + "covered-table-cell"
    P = f"{{{_ODS_TEXT}}}p"
    try:
        source = archive.open("content.xml")
    except KeyError:
        raise _refuse(
            file_name, NOT_A_WORKBOOK.format(kind="OpenDocument", reason="no content.xml")
        ) from None
    names: list[str] = []
    rows: list[tuple[int, list]] = []
    merged: list = []
    chosen = None
    in_chosen = False
    row_number = 0
    depth_tables = 0
    cells_total = 0
    try:
        for event, el in iterparse(source, events=("start", "end"), forbid_dtd=True):
            tag = el.tag
            if event == "start":
                if tag == TABLE:
                    depth_tables += 1
                    if depth_tables == 1:
                        name = el.get(t + "name", "")
                        names.append(name)
                        in_chosen = chosen is None and (not sheet or name == sheet)
                        if in_chosen:
                            chosen = name
                            row_number = 0
                continue
            if tag == TABLE:
                depth_tables -= 1
                if depth_tables == 0:
                    in_chosen = False
                el.clear()
            elif tag == ROW and in_chosen:
                repeat = int(el.get(t + "number-rows-repeated", "1"))
                values = _ods_row(el, t, o, CELL, COVERED, P, row_number + 1, merged)
                if values:
                    for _ in range(min(repeat, settings.IMPORT_MAX_ROWS + 1)):
                        row_number += 1
                        rows.append((row_number, list(values)))
                        cells_total += len(values)
                        if cells_total > MAX_CELLS:
                            raise _too_many_cells(file_name)
                        if len(rows) > settings.IMPORT_MAX_ROWS:
                            _limit_rows(len(rows), file_name)
                else:
                    row_number += repeat  # empty rows, often repeated a million times
                el.clear()
    except ImportRefused:
        raise
    except _TooWide:
        raise _too_many_cells(file_name) from None
    except _xml_unsafe_errors():
        raise _refuse(file_name, XML_UNSAFE) from None
    except Exception as exc:
        raise _refuse(file_name, NOT_A_WORKBOOK.format(kind="OpenDocument", reason=_reason(exc))) from None
    if chosen is None:
        if sheet:
            raise _refuse(file_name, SHEET_NOT_FOUND.format(sheet=sheet, names=", ".join(names)))
        raise _refuse(file_name, NO_HEADER_ROW)
    return Sheet(name=chosen, rows=rows, merged=merged)


def _ods_row(el, t, o, CELL, COVERED, P, row_number, merged) -> list:
    values: list = []
    pending_empty = 0
    col = 0
    for cell in el:
        if cell.tag not in (CELL, COVERED):
            continue
        repeat = int(cell.get(t + "number-columns-repeated", "1"))
        value = None
        if cell.tag == CELL:
            value = _ods_value(cell, t, o, P)
            spans = (
                int(cell.get(t + "number-columns-spanned", "1")),
                int(cell.get(t + "number-rows-spanned", "1")),
            )
            if spans != (1, 1):
                last_col, last_row = col + spans[0] - 1, row_number + spans[1] - 1
                ref = f"{column_letter(col)}{row_number}:{column_letter(last_col)}{last_row}"
                merged.append((row_number, col, row_number + spans[1] - 1, col + spans[0] - 1, ref))
        if value is None:
            pending_empty += repeat
        else:
            values.extend([None] * pending_empty)
            pending_empty = 0
            if col + repeat > MAX_COLUMNS:
                raise _TooWide
            values.extend([value] * repeat)
        col += repeat
    return values


def _ods_value(cell, t, o, P):
    kind = cell.get(o + "value-type")
    if kind is None:
        if cell.get(t + "formula"):
            return FORMULA
        return None
    if kind in ("float", "currency"):
        return Decimal(cell.get(o + "value"))
    if kind == "percentage":
        return Decimal(cell.get(o + "value")) * 100
    if kind == "date":
        text = cell.get(o + "date-value", "")
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    if kind == "boolean":
        return cell.get(o + "boolean-value") == "true"
    if kind == "string" and cell.get(o + "string-value") is not None:
        return cell.get(o + "string-value")
    return "\n".join("".join(p.itertext()) for p in cell.iter(P))
