"""The demo's national recorded crime file: the Home Office layout, the reference's figures for
Leicestershire, and the national picture of the report's 3.1 and 3.2 (read with csv only)."""

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from reports import demo_national_file as gen
from reports.demo_figures import DEMO_DATA, monthly_figures, read_annual_figures
from tests.kpis.national_forces import EAST_MIDLANDS, FORCES_CSV

PATH = DEMO_DATA / gen.FILE_NAME
ROWS = list(csv.DictReader(PATH.open(encoding="utf-8", newline="")))
FRAUD_SOURCES = {"Action Fraud", "CIFAS", "UK Finance"}
MSF = [
    "Leicestershire",
    "Sussex",
    "Hertfordshire",
    "Essex",
    "Bedfordshire",
    "Hampshire",
    "Nottinghamshire",
    "Kent",
]


def forces_43() -> set[str]:
    with FORCES_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["name"] for row in csv.DictReader(fh) if row["region"]}


def totals(*, subgroup: str | None = None) -> dict[str, dict[str, int]]:
    """{force: {financial year: offences}} for all crime excluding fraud (or one subgroup)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in ROWS:
        if row["Offence Group"] == "Fraud offences" or row["Force Name"] in FRAUD_SOURCES:
            continue
        if subgroup is None or row["Offence Subgroup"] == subgroup:
            out[row["Force Name"]][row["Financial Year"]] += int(row["Number of Offences"])
    return out


def percent_changes() -> dict[str, Decimal]:
    """% change to one decimal place, as readers see it."""
    return {
        force: (Decimal(y["2018/19"] - y["2017/18"]) / y["2017/18"] * 100).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
        for force, y in totals().items()
    }


def test_the_file_has_the_home_office_open_data_columns_and_is_labelled_illustrative():
    with PATH.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
        "Offence Subgroup", "Offence Code", "Number of Offences",
    ]  # fmt: skip
    assert "illustrative" in PATH.name
    readme = (DEMO_DATA / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme[readme.index(f"## {gen.FILE_NAME}") :].split())
    assert "Every other force's figures are illustrative" in section


def test_every_force_has_every_quarter_of_both_years_and_fraud_sits_with_the_national_bodies():
    seen = defaultdict(set)
    for row in ROWS:
        seen[row["Force Name"]].add((row["Financial Year"], row["Financial Quarter"]))
        assert int(row["Number of Offences"]) >= 0
    quarters = {(y, str(q)) for y in ("2017/18", "2018/19") for q in range(1, 5)}
    assert set(seen) == forces_43() | FRAUD_SOURCES
    assert all(found == quarters for found in seen.values())
    fraud = {row["Force Name"] for row in ROWS if row["Offence Group"] == "Fraud offences"}
    assert fraud == FRAUD_SOURCES
    assert len({row["Offence Code"] for row in ROWS}) >= 10


def test_leicestershire_is_the_reference_92924_against_84760_with_the_demo_months_by_quarter():
    assert dict(totals()["Leicestershire"]) == {"2017/18": 84_760, "2018/19": 92_924}
    months = monthly_figures(read_annual_figures())["3.1"]
    by_quarter = defaultdict(int)
    for row in ROWS:
        if row["Force Name"] == "Leicestershire":
            by_quarter[(row["Financial Year"], int(row["Financial Quarter"]))] += int(
                row["Number of Offences"]
            )
    for (year, quarter), count in by_quarter.items():
        first = int(year[:4]) * 12 + 3 + (quarter - 1) * 3  # April = month index 3
        in_quarter = [v for d, v in months.items() if first <= d.year * 12 + d.month - 1 < first + 3]
        assert sum(in_quarter) == count, (year, quarter)


def test_36_of_43_forces_increase_and_leicestershire_is_21st_of_them_with_no_tie():
    changes = percent_changes()
    increasing = sorted((c for c in changes.values() if c > 0), reverse=True)
    home = changes["Leicestershire"]

    assert len(changes) == 43
    assert len(increasing) == 36
    assert home == Decimal("9.6")
    assert increasing.index(home) + 1 == 21
    assert increasing.count(home) == 1


def test_leicestershire_has_the_smallest_increase_in_the_east_midlands():
    changes = percent_changes()
    region = {force: changes[force] for force in EAST_MIDLANDS}

    assert min(region, key=region.get) == "Leicestershire"
    assert all(change > 0 for change in region.values())
    assert sorted(region.values()).count(region["Leicestershire"]) == 1


def test_violence_with_injury_falls_501_and_leicestershire_is_lowest_of_its_most_similar_forces():
    violence = totals(subgroup="Violence with injury")
    home = violence["Leicestershire"]
    latest = {force: violence[force]["2018/19"] for force in MSF}
    rates = {force: Decimal(latest[force]) / gen.POPULATIONS[force] for force in MSF}

    assert home["2018/19"] - home["2017/18"] == -501
    assert round((home["2018/19"] - home["2017/18"]) / home["2017/18"] * 100) == -7
    assert min(latest, key=latest.get) == "Leicestershire"  # fewest offences
    assert min(rates, key=rates.get) == "Leicestershire"  # and fewest per 1,000 people


def test_the_generator_writes_the_committed_file_byte_for_byte():
    assert gen.national_csv() == PATH.read_bytes()
