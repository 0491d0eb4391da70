"""Writes the demo's national recorded crime file (run once; its output is committed).

    python -m reports.demo_national_file

The file is in the Home Office's police recorded crime open data layout (one row per
force, financial quarter and offence code) for 2017/18 and 2018/19. Leicestershire's rows
are the reference report's: all recorded crime excluding fraud is 84,760 in 2017/18 and
92,924 in 2018/19 (+8,164, +9.6%), each quarter the sum of the demo's monthly figures, and
violence with injury falls by 501 (-7%). Every other force's figures are ILLUSTRATIVE,
made so that the national picture is the one the report describes in 3.1 and 3.2:

- 36 of the 43 forces record an increase; Leicestershire is 21st of those 36 by %
  increase (1st the largest) and has the smallest % increase in the East Midlands;
- Leicestershire records the fewest violence with injury offences of its Most Similar
  Forces, as a count and per 1,000 people (`POPULATIONS`, mid-2018, approximate).

Fraud is recorded nationally, not by forces: as in the real files it appears under the
"forces" Action Fraud, CIFAS and UK Finance, and all recorded crime excluding fraud
leaves those rows out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from pathlib import Path

from .demo_figures import DEMO_DATA, monthly_figures, read_annual_figures

FILE_NAME = "national-recorded-crime-2017-19-illustrative.csv"
COLUMNS = [
    "Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
    "Offence Subgroup", "Offence Code", "Number of Offences",
]  # fmt: skip
YEARS = {2017: "2017/18", 2018: "2018/19"}
HOME = "Leicestershire"
HOME_VIOLENCE_WITH_INJURY = {2017: 7157, 2018: 6656}  # -501, -7.0%
FRAUD_SOURCES = {"Action Fraud": 74_000, "CIFAS": 68_000, "UK Finance": 21_000}  # a quarter, roughly

# (description, group, subgroup, code, share of a force's crime): a realistic handful.
VIOLENCE_WITH_INJURY = ("Assault with injury", "Violence against the person", "Violence with injury", "8N")
OFFENCES = [
    (("Assault without injury", "Violence against the person", "Violence without injury", "105A"), 14),
    (("Harassment", "Violence against the person", "Stalking and harassment", "8Q"), 9),
    (("Rape of a female aged 16 and over", "Sexual offences", "Rape", "19C"), 1.2),
    (("Robbery of personal property", "Robbery", "Robbery of personal property", "34B"), 1),
    (("Burglary - residential", "Theft offences", "Burglary", "28E"), 8),
    (("Theft from the person", "Theft offences", "Theft from the person", "39"), 1.5),
    (("Shoplifting", "Theft offences", "Shoplifting", "46"), 8),
    (("Theft from a vehicle", "Theft offences", "Vehicle offences", "45"), 9),
    (("Other theft", "Theft offences", "All other theft offences", "49"), 13),
    (("Criminal damage to a vehicle", "Criminal damage and arson", "Criminal damage", "58C"), 12),
    (("Possession of cannabis", "Drug offences", "Possession of drugs", "92E"), 3),
    (("Public fear, alarm or distress", "Public order offences", "Public order offences", "9"), 8),
    (("Possession of article with blade or point", "Possession of weapons offences",
      "Possession of weapons offences", "10D"), 1.3),
]  # fmt: skip
FRAUD = ("{source}", "Fraud offences", "Fraud: {source}", "FRAUD")
VIOLENCE_SHARE = 0.11

# Mid-2018 resident populations in thousands (approximate), for the illustrative sizes.
POPULATIONS = {
    "Cleveland": 566, "Durham": 635, "Northumbria": 1463, "Cheshire": 1059, "Cumbria": 498,
    "Greater Manchester": 2812, "Lancashire": 1498, "Merseyside": 1423, "Humberside": 935,
    "North Yorkshire": 822, "South Yorkshire": 1402, "West Yorkshire": 2320, "Derbyshire": 1040,
    "Leicestershire": 1100, "Lincolnshire": 755, "Northamptonshire": 747, "Nottinghamshire": 1154,
    "Staffordshire": 1131, "Warwickshire": 571, "West Mercia": 1294, "West Midlands": 2916,
    "Bedfordshire": 669, "Cambridgeshire": 852, "Essex": 1833, "Hertfordshire": 1184, "Norfolk": 904,
    "Suffolk": 758, "London, City of": 9, "Metropolitan Police": 8900, "Hampshire": 1999, "Kent": 1846,
    "Surrey": 1190, "Sussex": 1703, "Thames Valley": 2420, "Avon and Somerset": 1700,
    "Devon and Cornwall": 1760, "Dorset": 772, "Gloucestershire": 633, "Wiltshire": 720,
    "Dyfed-Powys": 517, "Gwent": 590, "North Wales": 700, "South Wales": 1330,
}  # fmt: skip
# 2017/18 -> 2018/19 % change of all crime excluding fraud: 20 forces above Leicestershire's
# +9.6% (its four East Midlands neighbours among them), 15 below it, 7 falling.
PERCENT_CHANGES = {
    "Derbyshire": 12.4, "Lincolnshire": 14.1, "Northamptonshire": 10.8, "Nottinghamshire": 11.5,
    "Cleveland": 16.3, "Northumbria": 18.2, "Greater Manchester": 22.7, "Lancashire": 13.2,
    "Merseyside": 10.3, "South Yorkshire": 15.4, "West Yorkshire": 19.6, "Staffordshire": 17.1,
    "West Midlands": 24.3, "West Mercia": 11.9, "Bedfordshire": 12.8, "Essex": 13.7, "Hampshire": 10.1,
    "Kent": 14.6, "Sussex": 20.5, "Thames Valley": 16.9,
    "Cheshire": 7.8, "Humberside": 5.2, "North Yorkshire": 3.9, "Warwickshire": 8.4, "Cambridgeshire": 6.1,
    "Hertfordshire": 9.1, "Norfolk": 4.4, "Suffolk": 2.7, "Metropolitan Police": 5.8, "Surrey": 8.9,
    "Avon and Somerset": 7.2, "Devon and Cornwall": 3.1, "Dorset": 1.6, "Gloucestershire": 6.6,
    "South Wales": 4.9,
    "Durham": -2.4, "Cumbria": -1.3, "London, City of": -5.6, "Wiltshire": -0.8, "Dyfed-Powys": -3.7,
    "Gwent": -1.9, "North Wales": -4.2,
}  # fmt: skip
CITY_OF_LONDON_2017 = 6100  # a small resident population and a great many commuters
# Violence with injury per 1,000 people in 2018/19 among Leicestershire's Most Similar
# Forces (Leicestershire's own is 6,656 / 1.1m, about 6.05): it is the lowest.
MSF_VIOLENCE_RATES = {
    "Sussex": 9.1, "Hertfordshire": 8.2, "Essex": 9.8, "Bedfordshire": 10.6, "Hampshire": 9.4,
    "Nottinghamshire": 10.9, "Kent": 11.3,
}  # fmt: skip
MSF_VIOLENCE_CHANGE = 0.04  # peers' 2017/18 figure is this much lower


def repeatable(seed: str) -> float:
    """A repeatable number in [0, 1) for a seed (not Python's salted hash)."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") / 2**64


def split(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to `weights` that add up exactly to `total`."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in exact]
    for i in sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))[: total - sum(parts)]:
        parts[i] += 1
    return parts


def home_quarters() -> dict[int, list[int]]:
    """Leicestershire's quarters: the demo's monthly All Crime figures, three months at a time."""
    months = monthly_figures(read_annual_figures())["3.1"]
    out = {}
    for year in YEARS:
        values = [v for d, v in sorted(months.items()) if (d.year, d.month) >= (year, 4)][:12]
        out[year] = [sum(values[q * 3 : q * 3 + 3]) for q in range(4)]
    return out


def force_totals() -> dict[str, dict[int, int]]:
    """Each force's all crime excluding fraud for 2017/18 and 2018/19."""
    reference = read_annual_figures()["3.1"]
    totals = {HOME: {2017: reference[2017], 2018: reference[2018]}}
    for name, people in POPULATIONS.items():
        if name == HOME:
            continue
        base = (
            CITY_OF_LONDON_2017 if name == "London, City of" else round(people * (62 + 36 * repeatable(name)))
        )
        totals[name] = {2017: base, 2018: round(base * (1 + PERCENT_CHANGES[name] / 100))}
    return totals


def violence_with_injury(name: str, year: int, total: int) -> int:
    if name == HOME:
        return HOME_VIOLENCE_WITH_INJURY[year]
    if name in MSF_VIOLENCE_RATES:
        latest = round(MSF_VIOLENCE_RATES[name] * POPULATIONS[name])
        return latest if year == 2018 else round(latest * (1 - MSF_VIOLENCE_CHANGE))
    return round(total * VIOLENCE_SHARE)


def force_rows(name: str, year: int, total: int, quarters: list[int] | None) -> list[list]:
    """One force-year: each quarter split over the offence codes, adding up exactly to `total`."""
    if quarters is None:
        quarters = split(total, [1 + 0.08 * repeatable(f"{name}:{year}:{q}") for q in range(4)])
    violence = split(violence_with_injury(name, year, total), quarters)
    rows = []
    for quarter, (in_quarter, violent) in enumerate(zip(quarters, violence, strict=True), start=1):
        others = split(in_quarter - violent, [share for _, share in OFFENCES])
        offences = [(VIOLENCE_WITH_INJURY, violent)] + [
            (o, n) for (o, _), n in zip(OFFENCES, others, strict=True)
        ]
        rows += [[YEARS[year], quarter, name, *offence, count] for offence, count in offences]
    return rows


def fraud_rows(year: int) -> list[list]:
    rows = []
    for source, size in FRAUD_SOURCES.items():
        for quarter in range(1, 5):
            count = round(size * (0.9 + 0.2 * repeatable(f"{source}:{year}:{quarter}")))
            rows.append(
                [YEARS[year], quarter, source, *(part.format(source=source) for part in FRAUD), count]
            )
    return rows


def national_rows() -> list[list]:
    totals, home = force_totals(), home_quarters()
    rows = []
    for year in YEARS:
        for name in POPULATIONS:
            rows += force_rows(name, year, totals[name][year], home[year] if name == HOME else None)
        rows += fraud_rows(year)
    return rows


def national_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(national_rows())
    return buffer.getvalue().encode("utf-8")


def write_national_file(path: Path = DEMO_DATA / FILE_NAME) -> Path:
    path.write_bytes(national_csv())
    return path


if __name__ == "__main__":
    print(write_national_file())
