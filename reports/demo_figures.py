"""Illustrative monthly figures for the 2018/19 demo report.

The reference report publishes annual totals only, but the portal stores one value per
month. This module splits each annual total into twelve months that follow a plausible
seasonal shape, agree with every monthly fact the commentary states (ASB under 1,000 a
month from November 2018, stop and search around 150 a month in 2017/18 and 310 in
2018/19, fewer missing person records in the second half of 2018/19 …) and add up
exactly to the published figure. Everything is deterministic: the same file every run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
ANNUAL_FIGURES_CSV = DEMO_DATA / "annual-figures.csv"

# Small enough that the seasonal shape stays readable, large enough to look like data.
NOISE = 0.03
FIXED_TIMESTAMP = datetime(2019, 4, 1)  # the file's own dates, so every run writes the same bytes

PROFILE_LENGTH = "A profile needs exactly 12 monthly weights (April to March), got {n}."
PROFILE_NEGATIVE = "Profile weights cannot be negative."
PROFILE_EMPTY = "A profile needs at least one month with a weight above zero."
TOTAL_INVALID = "The total must be a whole number of zero or more, got {total!r}."
FINANCIAL_YEAR_INVALID = "Financial year {text!r} is not written like 2018/19."

# Weights for April … March. Only the shape matters: monthly_split scales them.
SUMMER_PEAK = [0.97, 1.02, 1.06, 1.10, 1.07, 1.00, 0.99, 0.96, 0.95, 0.94, 0.90, 1.00]
FLAT = [1.0] * 12

PROFILES: dict[str, dict[int, list[float]]] = {
    # Calls and incidents peak in the summer (the 2018 heatwave and World Cup).
    "1.1": {
        2017: SUMMER_PEAK,
        2018: [0.95, 1.02, 1.10, 1.16, 1.07, 0.99, 0.98, 0.95, 0.96, 0.92, 0.88, 1.00],
    },
    # 101 demand fell by a quarter during 2018/19 as well as following the seasons.
    "1.2": {
        2017: SUMMER_PEAK,
        2018: [1.14, 1.16, 1.16, 1.17, 1.09, 1.00, 0.97, 0.91, 0.86, 0.85, 0.81, 0.88],
    },
    "2.1": {
        2017: SUMMER_PEAK,
        2018: [0.97, 1.03, 1.08, 1.12, 1.06, 0.99, 0.99, 0.95, 0.95, 0.93, 0.90, 0.99],
    },
    # Domestic incidents rise in the summer and over Christmas and New Year.
    "2.3a": {2017: [0.98, 1.02, 1.05, 1.06, 1.02, 0.96, 0.95, 0.93, 1.06, 1.02, 0.91, 1.00]},
    "2.3b": {2017: [0.97, 1.01, 1.06, 1.07, 1.02, 0.97, 0.96, 0.93, 1.05, 1.02, 0.92, 1.00]},
    "2.3c": {2017: FLAT},
    # Missing person records grew through 2017/18; in 2018/19 Q3 and Q4 fell below Q1 and Q2.
    "2.4a": {
        2017: [0.86, 0.88, 0.92, 0.95, 0.97, 1.00, 1.02, 1.04, 1.06, 1.08, 1.08, 1.14],
        2018: [1.08, 1.10, 1.09, 1.11, 1.10, 1.07, 0.93, 0.90, 0.88, 0.91, 0.89, 0.94],
    },
    # ASB: a usual summer and bonfire-night peak in 2017/18; in 2018/19 a fall from the summer
    # to under 1,000 a month for the last five months (paragraph 2.5).
    "2.5a": {
        2017: [1.00, 1.06, 1.10, 1.12, 1.08, 0.98, 1.04, 0.96, 0.88, 0.88, 0.87, 1.03],
        2018: [1.38, 1.48, 1.54, 1.52, 1.42, 1.33, 1.17, 0.94, 0.88, 0.86, 0.87, 0.93],
    },
    # Recorded crime rose through 2018/19 as crime data integrity improved.
    "3.1": {
        2017: SUMMER_PEAK,
        2018: [0.95, 1.00, 1.04, 1.08, 1.04, 0.99, 1.00, 0.98, 0.97, 0.98, 0.95, 1.02],
    },
    # Knife crime: about 15 more offences a month than in 2017/18 (paragraph 3.4).
    "3.4a": {2017: [0.97, 1.00, 1.02, 1.03, 1.02, 0.99, 1.00, 0.98, 0.98, 0.99, 0.97, 1.05]},
    # Outcomes dip over Christmas.
    "4.1": {2017: [1.00, 1.02, 1.03, 1.02, 1.01, 1.00, 1.03, 1.01, 0.90, 1.00, 0.97, 1.01]},
    # Stop and search: around 150 a month in 2017/18, rising; around 310 a month in 2018/19.
    "5.1": {
        2017: [0.86, 0.88, 0.87, 0.92, 0.94, 0.97, 1.00, 1.03, 1.05, 1.10, 1.12, 1.26],
        2018: [0.91, 0.93, 0.95, 0.97, 0.99, 1.00, 1.01, 1.02, 1.04, 1.05, 1.06, 1.07],
    },
    # Controlled-drugs searches are part of all searches and follow the same rise.
    "5.2a": {
        2017: [0.86, 0.88, 0.87, 0.92, 0.94, 0.97, 1.00, 1.03, 1.05, 1.10, 1.12, 1.26],
        2018: [0.91, 0.93, 0.95, 0.97, 0.99, 1.00, 1.01, 1.02, 1.04, 1.05, 1.06, 1.07],
    },
    "5.6a": {2017: FLAT},
}


def profile_for(code: str, financial_year: int) -> list[float]:
    """The seasonal weights for a KPI and financial year (the latest year given, or flat)."""
    by_year = PROFILES.get(code)
    if not by_year:
        return FLAT
    earlier = [year for year in by_year if year <= financial_year]
    return by_year[max(earlier)] if earlier else by_year[min(by_year)]


def _jitter(seed: str, month: int) -> float:
    """A repeatable number in [-1, 1] for one month of one series (not Python's salted hash)."""
    digest = hashlib.sha256(f"{seed}|{month}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


def monthly_split(total: int, *, profile: list[float], seed: str) -> list[int]:
    """Split an annual total into 12 non-negative whole months that add up exactly to it.

    The months follow `profile` (April … March) with a little deterministic noise from
    `seed`; largest-remainder rounding keeps the sum exact.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(TOTAL_INVALID.format(total=total))
    if len(profile) != 12:
        raise ValueError(PROFILE_LENGTH.format(n=len(profile)))
    if any(weight < 0 for weight in profile):
        raise ValueError(PROFILE_NEGATIVE)
    weights = [weight * (1 + NOISE * _jitter(seed, month)) for month, weight in enumerate(profile)]
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError(PROFILE_EMPTY)
    exact = [total * weight / weight_sum for weight in weights]
    months = [math.floor(value) for value in exact]
    # Hand the units lost to rounding down to the months that lost the most.
    by_remainder = sorted(range(12), key=lambda m: (months[m] - exact[m], m))
    for month in by_remainder[: total - sum(months)]:
        months[month] += 1
    return months


def financial_year_start(text: str) -> int:
    """'2018/19' -> 2018 (the year whose April starts it)."""
    head, _, tail = text.strip().partition("/")
    if not (head.isdigit() and len(head) == 4 and tail.isdigit() and len(tail) == 2):
        raise ValueError(FINANCIAL_YEAR_INVALID.format(text=text))
    start = int(head)
    if (start + 1) % 100 != int(tail):
        raise ValueError(FINANCIAL_YEAR_INVALID.format(text=text))
    return start


def read_annual_figures(path: Path = ANNUAL_FIGURES_CSV) -> dict[str, dict[int, int]]:
    """annual-figures.csv as {kpi_code: {financial year start: total}}."""
    annual: dict[str, dict[int, int]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            year = financial_year_start(row["financial_year"])
            annual.setdefault(row["kpi_code"], {})[year] = int(row["value"])
    return annual


def financial_year_months(start_year: int) -> list[date]:
    """The first day of each month of a financial year, April to March."""
    return [date(start_year + (m >= 9), (3 + m) % 12 + 1, 1) for m in range(12)]


def monthly_figures(annual: dict[str, dict[int, int]]) -> dict[str, dict[date, int]]:
    """Every KPI's illustrative months: {code: {first of month: value}}."""
    figures: dict[str, dict[date, int]] = {}
    for code, years in annual.items():
        series = figures.setdefault(code, {})
        for year, total in sorted(years.items()):
            months = monthly_split(total, profile=profile_for(code, year), seed=f"{code}:{year}")
            series.update(zip(financial_year_months(year), months, strict=True))
    return figures


def write_observations_wide_xlsx(
    path, *, annual: dict[str, dict[int, int]], text_headers: bool = False
) -> None:
    """Write the wide observations layout: `kpi_code`, then one column per month.

    Month headers are real Excel date cells (shown as Apr-17), or `2017-04` text with
    `text_headers=True`. The bytes are the same on every run.
    """
    figures = monthly_figures(annual)
    months = sorted({month for series in figures.values() for month in series})
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Observations"
    header = [m.strftime("%Y-%m") if text_headers else datetime(m.year, m.month, 1) for m in months]
    sheet.append(["kpi_code", *header])
    if not text_headers:
        for cell in sheet[1][1:]:
            cell.number_format = "mmm-yy"
    for code in annual:
        sheet.append([str(code), *(figures[code].get(m) for m in months)])
    sheet.freeze_panes = "B2"
    props = workbook.properties
    props.title = "Illustrative monthly figures"
    props.description = (
        "Illustrative: the source report gives annual totals only; each month's split adds up "
        "exactly to the published annual figure."
    )
    props.creator = "Performance portal demo"
    props.created = props.modified = FIXED_TIMESTAMP

    # openpyxl's save() stamps the current time into the file and the zip entries: write
    # through its ExcelWriter instead, then fix every entry's date.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
