"""National open-data files of the real layouts, made on the spot: the Home Office's police
recorded crime tables (one sheet per financial year, as ods, xlsx and csv) and a police.uk
street-level archive (a zip of monthly CSV files for one force).

The tests make small ones; bench/national_speed.py makes them at full size (44 forces,
12 years, ~300,000 rows; 3 years of one force, ~400,000 rows). The ods is written as
OpenDocument XML straight into the zip, which is what LibreOffice writes and hundreds of
times faster than building it with odfpy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

from kpis.national.vocabulary import POLICE_UK_CRIME_TYPES

FORCES_CSV = Path(__file__).resolve().parents[2] / "kpis" / "data" / "forces.csv"

HOME_OFFICE_HEADERS = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]
POLICE_UK_HEADERS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
OFFENCE_GROUPS = [
    (
        "Violence against the person",
        ["Homicide", "Violence with injury", "Violence without injury", "Stalking and harassment"],
    ),
    ("Sexual offences", ["Rape", "Other sexual offences"]),
    ("Robbery", ["Robbery of business property", "Robbery of personal property"]),
    (
        "Theft offences",
        [
            "Burglary",
            "Vehicle offences",
            "Theft from the person",
            "Bicycle theft",
            "Shoplifting",
            "All other theft offences",
        ],
    ),
    ("Criminal damage and arson", ["Arson", "Criminal damage"]),
    ("Drug offences", ["Trafficking of drugs", "Possession of drugs"]),
    ("Possession of weapons offences", ["Possession of weapons offences"]),
    ("Public order offences", ["Public order offences"]),
    ("Miscellaneous crimes against society", ["Miscellaneous crimes against society"]),
]
CRIME_TYPES = list(POLICE_UK_CRIME_TYPES)  # every type the "Crime type" column holds
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Awaiting court outcome",
    "Offender given a caution",
    "",
]


def force_names() -> list[str]:
    """The 44 forces' names as the Home Office tables spell them."""
    with FORCES_CSV.open(encoding="utf-8") as f:
        return [row["name"] for row in csv.DictReader(f)]


def financial_years(count: int = 12, last: int = 2024) -> list[str]:
    """'2013-14' … '2024_25': the newest sheet is named with an underscore, as one edition did."""
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(last - count + 1, last + 1)]
    return years[:-1] + [years[-1].replace("-", "_")] if years else []


def offences(count: int) -> list[tuple[str, str, str, str]]:
    """`count` offences as (description, group, subgroup, code)."""
    subgroups = [(group, sub) for group, subs in OFFENCE_GROUPS for sub in subs]
    found = []
    for i in range(count):
        group, sub = subgroups[i % len(subgroups)]
        found.append(
            (f"{sub} offence {i // len(subgroups) + 1}", group, sub, f"{i // 10 + 1}{'ABCDEFGHIJ'[i % 10]}")
        )
    return found


def home_office_rows(year: str, forces: list[str], offence_count: int) -> Iterator[list]:
    """One financial year's data rows: every force, quarter and offence."""
    for f, force in enumerate(forces):
        for quarter in (1, 2, 3, 4):
            for o, (description, group, sub, code) in enumerate(offences(offence_count)):
                yield [
                    year.replace("_", "/").replace("-", "/"),
                    quarter,
                    force,
                    description,
                    group,
                    sub,
                    code,
                    (f * 31 + o * 7 + quarter) % 400,
                ]


def home_office_sheets(years: int = 12, forces: int = 44, offence_count: int = 142) -> dict[str, list[list]]:
    """{sheet name: rows with the header}: 12 × 44 × 4 × 142 ≈ 300,000 data rows at full size."""
    names = force_names()[:forces]
    return {
        year: [HOME_OFFICE_HEADERS, *home_office_rows(year, names, offence_count)]
        for year in financial_years(years)
    }


# --------------------------------------------------------------------------- writers
_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)
_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODS_ROW_END = '<table:table-cell table:number-columns-repeated="1016"/></table:table-row>'
_ODS_TABLE_END = (
    b'<table:table-row table:number-rows-repeated="1048000">'
    b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>'
)


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods_workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An ods of these sheets, rows ending as LibreOffice ends them (repeated empty cells and rows)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIMETYPE)
        z.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        with z.open("content.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write(f"<office:document-content {_ODS_NAMESPACES}><office:body><office:spreadsheet>".encode())
            for name, rows in sheets.items():
                f.write(f"<table:table table:name={quoteattr(name)}>".encode())
                chunk = []
                for row in rows:
                    cells = "".join(_ods_cell(v) for v in row)
                    chunk.append(f"<table:table-row>{cells}{_ODS_ROW_END}")
                    if len(chunk) == 2000:
                        f.write("".join(chunk).encode())
                        chunk = []
                f.write("".join(chunk).encode())
                f.write(_ODS_TABLE_END)
            f.write(b"</office:spreadsheet></office:body></office:document-content>")
    return out.getvalue()


def xlsx_workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def home_office_csv_bytes(sheets: dict[str, list[list]]) -> bytes:
    """Every sheet's rows in one csv under one header, as the tables' csv edition has them."""
    rows = [HOME_OFFICE_HEADERS]
    for sheet_rows in sheets.values():
        rows.extend(sheet_rows[1:])
    return csv_text_bytes(rows)


# --------------------------------------------------------------------------- police.uk
def police_uk_months(count: int = 36, first: tuple[int, int] = (2021, 4)) -> list[str]:
    year, month = first
    found = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        found.append(f"{year + y}-{m + 1:02d}")
    return found


def police_uk_rows(month: str, force: str, name: str, count: int) -> list[list]:
    rows = [POLICE_UK_HEADERS]
    for i in range(count):
        crime_type = CRIME_TYPES[i % len(CRIME_TYPES)]
        crime_id = (
            ""
            if crime_type == "Anti-social behaviour"
            else hashlib.sha256(f"{month}{force}{i}".encode()).hexdigest()
        )
        outcome = "" if not crime_id else OUTCOMES[i % len(OUTCOMES)]
        lsoa = 25000 + i % 600
        rows.append(
            [
                crime_id,
                month,
                f"{name} Police",
                f"{name} Police",
                f"-1.{i % 9973:06d}",
                f"52.{i % 7919:06d}",
                f"On or near Street {i % 1500}",
                f"E0{lsoa:07d}",
                f"{name} {i % 600:03d}A",
                crime_type,
                outcome,
                "",
            ]
        )
    return rows


def police_uk_archive_bytes(
    force: str = "leicestershire",
    name: str = "Leicestershire",
    months: int = 36,
    rows_per_month: int = 11_000,
) -> bytes:
    """A police.uk download for one force: `YYYY-MM/YYYY-MM-<force>-street.csv` per month."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for month in police_uk_months(months):
            z.writestr(
                f"{month}/{month}-{force}-street.csv",
                csv_text_bytes(police_uk_rows(month, force, name, rows_per_month)),
            )
    return out.getvalue()
