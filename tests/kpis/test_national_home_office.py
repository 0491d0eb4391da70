"""Home Office police recorded crime tables: recognising the layout, and planning quarters and
financial years per force and mapped KPI, with notes for what is left out."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Kpi, NationalMapping, Organisation, PeerGroup
from kpis.national.database import national_context
from kpis.national.force_loading import load_forces
from kpis.national.forces import ForceMatcher
from kpis.national.home_office import detect_home_office, explain_home_office, plan_home_office
from kpis.national.mapping_loading import load_default_mappings
from kpis.national.planning import MappingIndex, NationalContext
from kpis.spreadsheets import read_sheet
from tests.kpis.national_fixtures import (
    FRAUD,
    OFFENCES,
    PRC_HEADERS,
    numbered,
    prc_csv,
    prc_ods,
    prc_rows,
    prc_sheets,
    prc_xlsx,
)

Q1_1920 = (date(2019, 4, 1), date(2019, 6, 30))
Q4_1920 = (date(2020, 1, 1), date(2020, 3, 31))
FY_1920 = (date(2019, 4, 1), date(2020, 3, 31))
# The offence index of violence with injury in OFFENCES is 0: count 1 per quarter by default.


# --------------------------------------------------------------------------- recognising
@pytest.mark.parametrize(
    "headers",
    [
        PRC_HEADERS,
        [h.upper() for h in PRC_HEADERS],
        [h.lower().replace(" ", "_") for h in PRC_HEADERS],
        ["  Financial  Year ", *PRC_HEADERS[1:]],
        list(reversed(PRC_HEADERS)),
    ],
)
def test_headers_are_recognised_whatever_their_case_and_spacing(headers):
    columns = detect_home_office(headers)
    assert columns is not None and set(columns) == {h.lower() for h in PRC_HEADERS}


def test_near_miss_says_which_columns_are_missing():
    headers = [h for h in PRC_HEADERS if h != "Offence Code"]
    assert detect_home_office(headers) is None
    message = explain_home_office(headers)
    assert "'Offence Code' is missing" in message and "Number of Offences" in message
    misspelt = [*PRC_HEADERS[:-1], "Number of Offenses"]
    assert detect_home_office(misspelt) is None
    assert "'Number Of Offences' is missing" in explain_home_office(misspelt)


def test_unrelated_headers_are_not_a_near_miss():
    assert detect_home_office(["kpi_code", "month", "value"]) is None
    assert explain_home_office(["kpi_code", "month", "value"]) == ""
    other_table = ["Financial Year", "Force Name", "Offence Code", "Number of Offences"]
    assert explain_home_office(other_table) == ""
    assert explain_home_office(PRC_HEADERS) == ""


# --------------------------------------------------------------------------- planning
def context_for(forces=("Leicestershire", "Nottinghamshire", "Avon and Somerset"), mappings=None):
    """A context built by hand: organisation ids 1, 2, 3…; KPI 10 all crime, 11 violence with injury."""
    matcher = ForceMatcher((i, name, name.lower(), []) for i, name in enumerate(forces, start=1))
    rules = mappings if mappings is not None else [
        (10, "home_office", "offence_group", "*", False),
        (10, "home_office", "offence_group", "Fraud offences", True),
        (11, "home_office", "offence_subgroup", "Violence with injury", False),
    ]
    return NationalContext(matcher, MappingIndex(rules))


def plan_rows(rows, context=None, name="prc.csv"):
    sheet = numbered([PRC_HEADERS, *rows], name="Sheet1")
    return plan_home_office([sheet], file_name=name, context=context or context_for())


def test_quarters_and_whole_years_per_force_and_kpi():
    plan = plan_rows(prc_rows(["Leicestershire", "Nottinghamshire"], [2019]))
    assert plan.ok, plan.problems
    every = sum(range(1, len(OFFENCES) + 1))  # counts are 1 + offence index
    assert plan.values[(10, 1, *Q1_1920)] == Decimal(every)
    assert plan.values[(11, 1, *Q1_1920)] == Decimal(1)
    assert plan.values[(10, 2, *Q4_1920)] == Decimal(every)
    assert plan.values[(10, 1, *FY_1920)] == Decimal(4 * every)
    assert plan.values[(11, 2, *FY_1920)] == Decimal(4)
    assert len(plan.values) == 2 * 2 * 5  # kpis × forces × (4 quarters + year)
    assert plan.notes == []


def test_a_partial_year_is_stored_as_quarters_only_and_said_so():
    rows = prc_rows(["Leicestershire", "Nottinghamshire"], [2019]) + prc_rows(
        ["Leicestershire", "Nottinghamshire"], [2020], quarters=(1, 2)
    )
    plan = plan_rows(rows)
    assert (10, 1, date(2020, 4, 1), date(2021, 3, 31)) not in plan.values
    assert plan.values[(10, 1, date(2020, 7, 1), date(2020, 9, 30))] > 0
    assert (10, 1, *FY_1920) in plan.values
    assert plan.notes == [
        "2020/21: the file has only Q1, Q2 for every force: stored as quarters only; a part of a year "
        "is not a year, so there is no 2020/21 figure for them."
    ]


def test_a_force_missing_a_quarter_is_named():
    rows = prc_rows(["Leicestershire"], [2019]) + prc_rows(["Nottinghamshire"], [2019], quarters=(1, 2, 3))
    plan = plan_rows(rows)
    assert (10, 1, *FY_1920) in plan.values and (10, 2, *FY_1920) not in plan.values
    assert any("only Q1, Q2, Q3 for Nottinghamshire" in n and "figure for it." in n for n in plan.notes)


def test_fraud_is_excluded_and_non_force_bodies_are_noted_with_row_counts():
    rows = prc_rows(["Leicestershire"], [2019], offences=[OFFENCES[0], FRAUD])
    rows += prc_rows(["Action Fraud"], [2019], offences=[FRAUD])  # 4 rows
    rows += prc_rows(["CIFAS", "UK Finance"], [2019], quarters=(1,), offences=[FRAUD])
    plan = plan_rows(rows)
    assert plan.ok
    assert plan.values[(10, 1, *Q1_1920)] == Decimal(1)  # fraud (2 a quarter) left out of all crime
    bodies = "Action Fraud (4 rows), CIFAS (1 row), UK Finance (1 row)"
    assert f"Not police forces, left out: {bodies}." in plan.notes
    assert not any(key[1] not in (1,) for key in plan.values)


def test_unknown_names_and_unmapped_offences_are_notes_not_errors():
    rows = prc_rows(["Leicestershire", "Police Scotland"], [2019], quarters=(1,), offences=OFFENCES[:2])
    context = context_for(mappings=[(11, "home_office", "offence_subgroup", "Violence with injury", False)])
    plan = plan_rows(rows, context)
    assert plan.ok
    assert plan.values == {(11, 1, *Q1_1920): Decimal(1)}
    assert any(n.startswith("Names that are no organisation here, left out: Police Scotland (2 rows).")
               for n in plan.notes)
    assert "Rows of offences no KPI counts (no national mapping names them), not imported: 1." in plan.notes


def test_force_spellings_in_the_table_are_matched():
    forces = ["Avon & Somerset", "LEICESTERSHIRE POLICE"]
    rows = prc_rows(forces, [2019], quarters=(1,), offences=OFFENCES[:1])
    plan = plan_rows(rows)
    assert plan.values[(11, 3, *Q1_1920)] == 1 and plan.values[(11, 1, *Q1_1920)] == 1


def test_bad_cells_are_problems_with_sheet_row_and_column():
    rows = prc_rows(["Leicestershire"], [2019], quarters=(1,), offences=OFFENCES[:1]) * 4
    rows[0] = ["2019/20", 5, *rows[0][2:]]
    rows[1] = ["last year", 1, *rows[1][2:]]
    rows[2] = [*rows[2][:7], "n/a"]
    rows[3] = ["2019/21", 1, *rows[3][2:]]
    sheet = numbered([["Police recorded crime by force"], [], PRC_HEADERS, *rows], name="2019-20")
    plan = plan_home_office([sheet], file_name="prc.ods", context=context_for())
    assert not plan.ok and plan.problem_count == 4
    assert [str(p) for p in plan.problems] == [
        "prc.ods, sheet 2019-20, row 4, column B (Financial Quarter): '5' is not a financial quarter: "
        "write 1, 2, 3 or 4 (Q1 is April to June).",
        "prc.ods, sheet 2019-20, row 5, column A (Financial Year): 'last year' is not a financial year: "
        "write it as 2019/20.",
        "prc.ods, sheet 2019-20, row 6, column H (Number of Offences): 'n/a' is not a number of "
        "offences (a whole number).",
        "prc.ods, sheet 2019-20, row 7, column A (Financial Year): '2019/21' is not a financial year: "
        "write it as 2019/20.",
    ]


def test_no_table_and_no_mappings_are_problems():
    sheet = numbered([["kpi_code", "month", "value"]])
    plan = plan_home_office([sheet], file_name="x.csv", context=context_for())
    assert not plan.ok and "No sheet has the Home Office recorded crime headers" in plan.problems[0].message
    plan = plan_rows(prc_rows(["Leicestershire"], [2019]), context_for(mappings=[]))
    assert not plan.ok and "No KPI counts Home Office rows yet" in plan.problems[0].message


def test_other_sheets_are_skipped_with_a_note():
    sheets = [numbered([["Notes"], ["These tables…"]], name="Introduction")]
    tables = prc_sheets({2019: prc_rows(["Leicestershire"], [2019])})
    sheets += [numbered(rows, name=name) for name, rows in tables.items()]
    plan = plan_home_office(sheets, file_name="prc.ods", context=context_for())
    assert plan.ok and "Sheet 'Introduction' has no table of offences: skipped." in plan.notes
    assert (10, 1, *FY_1920) in plan.values


# --------------------------------------------------------------------------- real files
@pytest.fixture
def national(db):
    load_forces(Organisation, PeerGroup)
    Organisation.make_home(Organisation.objects.get(code="leicestershire"))
    kpi = Kpi.objects.create(code="3.1", name="All Crime", category="Crime", aliases="all crime")
    vwi = Kpi.objects.create(code="3.2", name="Violence with injury", category="Crime")
    load_default_mappings(Kpi, NationalMapping)
    return kpi, vwi


def sheets_of(content, name, sheet_names):
    return [read_sheet(content=content, file_name=name, sheet=s) for s in sheet_names]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_published_files_plan_the_same(national, fmt):
    all_crime, vwi = national
    by_year = {
        2019: prc_rows(["Leicestershire", "Avon & Somerset", "Action Fraud"], [2019]),
        2024: prc_rows(["Leicestershire", "Avon & Somerset"], [2024], quarters=(1, 2), year_sep="-"),
    }
    if fmt == "csv":
        sheets = sheets_of(prc_csv(by_year[2019] + by_year[2024]), "prc.csv", [None])
    elif fmt == "xlsx":
        sheets = sheets_of(prc_xlsx(by_year, sep="_"), "prc.xlsx", ["2019_20", "2024_25"])
    else:
        sheets = sheets_of(prc_ods(by_year), "prc.ods", ["2019-20", "2024-25"])
    plan = plan_home_office(sheets, file_name=f"prc.{fmt}", context=national_context())
    assert plan.ok, plan.problems
    leics = Organisation.objects.get(code="leicestershire").pk
    avon = Organisation.objects.get(code="avon-and-somerset").pk
    every = sum(range(1, len(OFFENCES) + 1))
    assert plan.values[(all_crime.pk, leics, *FY_1920)] == 4 * every
    assert plan.values[(vwi.pk, avon, *FY_1920)] == 4
    assert plan.values[(vwi.pk, avon, date(2024, 7, 1), date(2024, 9, 30))] == 1
    assert (vwi.pk, avon, date(2024, 4, 1), date(2025, 3, 31)) not in plan.values
    assert any(n.startswith("Not police forces, left out: Action Fraud (48 rows)") for n in plan.notes)
    assert any(n.startswith("2024/25: the file has only Q1, Q2 for every force") for n in plan.notes)


def test_three_hundred_thousand_rows_plan_to_every_force_quarter_and_year():
    forces = [f"Force {i}" for i in range(44)]
    context = context_for(forces=forces)
    rows = prc_rows(forces, range(2013, 2024), offences=OFFENCES * 14)  # 44 × 11 × 4 × 168 = 325,248
    assert len(rows) > 300_000
    sheet = numbered([PRC_HEADERS, *rows])
    plan = plan_home_office([sheet], file_name="prc.csv", context=context)
    assert plan.ok and plan.rows_read == len(rows)  # its speed is bench/national_speed.py's
