"""Real spreadsheet files made in the tests: xlsx with openpyxl, ods with odfpy, csv as bytes."""

import csv
import functools
import io
import zipfile
from datetime import date, datetime

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook


def csv_bytes(rows, encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows=None, sheets=None, merge=None, formulas=None, percent_cells=()) -> bytes:
    """sheets: {name: rows} (first is active); merge: ["A1:C1"]; formulas: {"C2": "=A1*2"}."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, sheet_rows in (sheets or {"Sheet1": rows}).items():
        ws = wb.create_sheet(name)
        for row in sheet_rows:
            ws.append(list(row))
    ws = wb[next(iter(sheets or {"Sheet1": None}))]
    for ref in merge or []:
        ws.merge_cells(ref)
    for ref, formula in (formulas or {}).items():
        ws[ref] = formula
    for ref in percent_cells:
        ws[ref].number_format = "0%"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ods_bytes(rows=None, sheets=None, spans=None, formulas=None) -> bytes:
    """spans: {(row, col): (cols, rows)} merged cells; formulas: {(row, col): "of:=[.A1]"} with no value."""
    doc = OpenDocumentSpreadsheet()
    for name, sheet_rows in (sheets or {"Sheet1": rows}).items():
        table = Table(name=name)
        for r, row in enumerate(sheet_rows):
            tr = TableRow()
            for c, value in enumerate(row):
                if (formulas or {}).get((r, c)):
                    tr.addElement(TableCell(formula=formulas[(r, c)]))
                    continue
                kwargs = {}
                if (spans or {}).get((r, c)):
                    cols, nrows = spans[(r, c)]
                    kwargs = {"numbercolumnsspanned": cols, "numberrowsspanned": nrows}
                if value is None:
                    covered = spans and _covered(spans, r, c)
                    tr.addElement(CoveredTableCell() if covered else TableCell(**kwargs))
                elif isinstance(value, bool):
                    tr.addElement(TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **kwargs))
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value, **kwargs)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
                elif isinstance(value, (date, datetime)):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **kwargs)
                    cell.addElement(P(text=value.isoformat()))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string", **kwargs)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _covered(spans, r, c) -> bool:
    for (r0, c0), (cols, nrows) in spans.items():
        if r0 <= r < r0 + nrows and c0 <= c < c0 + cols and (r, c) != (r0, c0):
            return True
    return False


@functools.cache
def zip_bomb_xlsx(expanded_bytes: int = 300 * 1024 * 1024) -> bytes:
    """A valid-looking xlsx whose sheet XML expands to `expanded_bytes` (a few hundred kB on disk)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", 1]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in base.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                tail = b"</sheetData></worksheet>"
                with bomb.open(info.filename, "w", force_zip64=True) as f:
                    f.write(head)
                    chunk = b" " * (1024 * 1024)
                    for _ in range(expanded_bytes // len(chunk)):
                        f.write(chunk)
                    f.write(tail)
            else:
                bomb.writestr(info, base.read(info.filename))
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def xml_bomb(kind: str) -> bytes:
    """An xlsx or ods whose main XML part declares the billion-laughs entities."""
    if kind == "xlsx":
        base, part = (
            xlsx_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", 1]]),
            "xl/worksheets/sheet1.xml",
        )
        body = (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
        )
    else:
        base, part = ods_bytes([["kpi_code", "month", "value"]]), "content.xml"
        body = (
            b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
            b"<office:body>&lol9;</office:body></office:document-content>"
        )
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, BILLION_LAUGHS + body if info.filename == part else src.read(info.filename))
    return out.getvalue()


def make(fmt: str, rows) -> bytes:
    return {"csv": csv_bytes, "xlsx": xlsx_bytes, "ods": ods_bytes}[fmt](rows)
