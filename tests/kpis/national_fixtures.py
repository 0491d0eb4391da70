"""National files made in the tests, in the exact published layouts.

- Home Office police recorded crime tables by Police Force Area: the eight columns
  `Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group,
  Offence Subgroup, Offence Code, Number of Offences`, one sheet per financial year (named
  '2019-20', or '2024_25' in newer editions) in ods or xlsx, or one long csv;
- police.uk street-level crime: `Crime ID, Month, Reported by, Falls within, Longitude,
  Latitude, Location, LSOA code, LSOA name, Crime type, Last outcome category, Context`, one
  csv per force and month, or the monthly archive zip (`YYYY-MM/YYYY-MM-<force>-street.csv`).

`Sheet` is the shape the planners read (name, [(row number, cells)]), for feeding them
without a file reader.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from tests.kpis.files import csv_bytes, ods_bytes, xlsx_bytes
from tests.kpis.national_files import HOME_OFFICE_HEADERS as PRC_HEADERS
from tests.kpis.national_files import POLICE_UK_HEADERS

# (description, group, subgroup, code), as the tables write them.
OFFENCES = [
    ("Assault with injury", "Violence against the person", "Violence with injury", "8N"),
    ("Assault without injury", "Violence against the person", "Violence without injury", "105A"),
    ("Harassment", "Violence against the person", "Stalking and harassment", "8L"),
    ("Rape of a female aged 16 and over", "Sexual offences", "Rape", "19C"),
    ("Robbery of personal property", "Robbery", "Robbery of personal property", "34B"),
    ("Burglary - Residential", "Theft offences", "Residential burglary", "28E"),
    ("Burglary - Business and Community", "Theft offences", "Business and community burglary", "30C"),
    ("Theft from a vehicle", "Theft offences", "Vehicle offences", "45"),
    ("Shoplifting", "Theft offences", "Shoplifting", "46"),
    ("Criminal damage to a dwelling", "Criminal damage and arson", "Criminal damage", "58A"),
    ("Possession of cannabis", "Drug offences", "Possession of drugs", "92E"),
    ("Public fear, alarm or distress", "Public order offences", "Public order offences", "9"),
]
FRAUD = ("Fraud by false representation", "Fraud offences", "Fraud offences", "53A")

@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]]


def numbered(rows: list[list], name: str = "Sheet1", first_row: int = 1) -> Sheet:
    return Sheet(name, [(first_row + i, list(r)) for i, r in enumerate(rows)])


# --------------------------------------------------------------------------- Home Office
def fy_text(year: int, sep: str = "/") -> str:
    return f"{year}{sep}{(year + 1) % 100:02d}"


def prc_rows(forces, years, quarters=(1, 2, 3, 4), offences=OFFENCES, count=None, year_sep="/") -> list[list]:
    """Data rows (no header): every force, year, quarter and offence; count(force, year,
    quarter, offence index) gives the number (default 1 + index)."""
    count = count or (lambda force, year, quarter, index: index + 1)
    return [
        [fy_text(year, year_sep), quarter, force, *offence[:3], offence[3], count(force, year, quarter, i)]
        for year in years
        for quarter in quarters
        for force in forces
        for i, offence in enumerate(offences)
    ]


def prc_sheets(rows_by_year: dict[int, list[list]], sep: str = "-") -> dict[str, list[list]]:
    """{sheet name: rows with the header} for one sheet per financial year ('2019-20')."""
    return {fy_text(year, sep): [PRC_HEADERS, *rows] for year, rows in rows_by_year.items()}


def prc_csv(rows: list[list]) -> bytes:
    return csv_bytes([PRC_HEADERS, *rows])


def prc_xlsx(rows_by_year: dict[int, list[list]], sep: str = "-") -> bytes:
    return xlsx_bytes(sheets=prc_sheets(rows_by_year, sep))


def prc_ods(rows_by_year: dict[int, list[list]], sep: str = "-") -> bytes:
    return ods_bytes(sheets=prc_sheets(rows_by_year, sep))


# --------------------------------------------------------------------------- police.uk
def crime_id(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def street_rows(force: str, month: str, crime_types: list[str], reported_by: str | None = None) -> list[list]:
    """Data rows (no header) of one force's street-level file for one month."""
    rows = []
    for i, crime_type in enumerate(crime_types):
        asb = crime_type == "Anti-social behaviour"
        rows.append(
            [
                "" if asb else crime_id(force, month, i),
                month,
                reported_by or force,
                force,
                "-1.133",
                "52.634",
                "On or near High Street",
                "E01013492",
                "Leicester 020A",
                crime_type,
                "" if asb else "Investigation complete; no suspect identified",
                "",
            ]
        )
    return rows


def street_csv(rows: list[list]) -> bytes:
    return csv_bytes([POLICE_UK_HEADERS, *rows])


def street_zip(files: dict[str, bytes]) -> bytes:
    """The monthly archive: {'2019-03/2019-03-leicestershire-street.csv': csv bytes}."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
