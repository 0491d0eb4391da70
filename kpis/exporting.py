"""Spreadsheet export of the catalogue and observations, and the blank import templates.

Exports use the import layouts (catalogue; observations long, with the organisation), so
a downloaded file can be edited and uploaded again. Every text cell that a spreadsheet
would run as a formula gets a leading apostrophe, by the one rule of every spreadsheet
screen (`neutralise`, portal/spreadsheet_safety.py), which the importers undo; figures are
written as numbers, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from portal.spreadsheet_safety import neutralise

from .imports import CATALOGUE_COLUMNS, LONG, WIDE
from .national.catalogue_column import national_rows_cells
from .periods import Period, month_end

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_FORMATS = tuple(CONTENT_TYPES)
TEMPLATE_LAYOUTS = ("catalogue", LONG, WIDE)


def _plain(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def table_bytes(*, headers: list[str], rows: Iterable[Iterable], fmt: str, sheet: str = "Data") -> bytes:
    """headers + rows as a csv (UTF-8 with BOM, so Excel reads it right) or xlsx file."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            writer.writerow([neutralise(_plain(v)) if not isinstance(v, date) else f"{v:%Y-%m}" for v in row])
        return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append([neutralise(h) for h in headers])
        for row in rows:
            # Text is stored as a string cell even if it starts with '=': openpyxl would
            # otherwise write it as a formula.
            ws.append([_xlsx_cell(ws, v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


def _xlsx_cell(ws, value):
    value = _plain(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=None)
        cell.value = neutralise(value)
        cell.data_type = "s"  # never "f", whatever the text starts with
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm"
        return cell
    return value


def catalogue_export(*, queryset, fmt: str) -> bytes:
    """The KPI catalogue in the catalogue import layout, national mappings included."""
    kpis = list(queryset.order_by("code"))
    national_rows = national_rows_cells(kpis)
    rows = (
        [
            k.code, k.name, k.category, k.unit, k.aggregation, k.good_direction, k.decimals, k.description,
            k.aliases, national_rows.get(k.pk, ""),
        ]  # fmt: skip
        for k in kpis
    )
    return table_bytes(headers=list(CATALOGUE_COLUMNS), rows=rows, fmt=fmt, sheet="KPIs")


def observations_export(*, queryset, fmt: str) -> bytes:
    """Observations with their organisation's code: the long layout when every value is for a
    calendar month, otherwise `kpi_code, organisation, period_start, period_end, value` (the
    stated-period layout of kpis/imports/peers.py), so rolling-year and 'as at' values survive."""
    rows = list(
        queryset.order_by("kpi__code", "organisation__code", "period_start", "period_end").values_list(
            "kpi__code", "organisation__code", "period_start", "period_end", "value"
        )
    )
    if all(start.day == 1 and end == month_end(start) for _, _, start, end, _ in rows):
        headers = ["kpi_code", "organisation", "month", "value"]
        body = ([code, org, start, value] for code, org, start, _end, value in rows)
    else:
        headers = ["kpi_code", "organisation", "period_start", "period_end", "value"]
        body = (
            [code, org, start.isoformat(), end.isoformat(), value] for code, org, start, end, value in rows
        )
    return table_bytes(headers=headers, rows=body, fmt=fmt, sheet="Data")


def import_template(*, layout: str, fmt: str) -> bytes:
    """A blank file for one import layout, with an example row to overwrite."""
    if layout == "catalogue":
        headers = list(CATALOGUE_COLUMNS)
        rows = [
            ["1.1", "Number of 999 Calls", "Calls", "count", "sum", "neither", 0, "Emergency calls received.",
             "999 calls; emergency calls", ""]
        ]  # aliases and national_rows (e.g. 'police_uk:crime_type=Robbery') may be left blank
    elif layout == LONG:
        headers = ["kpi_code", "month", "value"]
        rows = [["1.1", "2018-04", 12345], ["1.1", "2018-05", 12890]]
    elif layout == WIDE:
        months = Period.financial_year(2018).months()
        headers = ["kpi_code", *(f"{m:%Y-%m}" for m in months)]
        rows = [["1.1", *([None] * len(months))]]
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return table_bytes(headers=headers, rows=rows, fmt=fmt, sheet="Data")
