"""police.uk street-level files: recognising them, and counting rows per force, month and
crime type into the monthly figures of mapped KPIs."""

import io
import zipfile
from datetime import date

import pytest

from kpis.models import Kpi, NationalMapping, Organisation, PeerGroup
from kpis.national.database import national_context
from kpis.national.force_loading import load_forces
from kpis.national.forces import ForceMatcher
from kpis.national.mapping_loading import load_default_mappings
from kpis.national.planning import MappingIndex, NationalContext
from kpis.national.police_uk import detect_police_uk, explain_police_uk, plan_police_uk
from kpis.spreadsheets import read_sheet
from tests.kpis.national_fixtures import (
    POLICE_UK_HEADERS,
    Sheet,
    numbered,
    street_csv,
    street_rows,
    street_zip,
)

MARCH = (date(2019, 3, 1), date(2019, 3, 31))
APRIL = (date(2019, 4, 1), date(2019, 4, 30))


def test_headers_are_recognised():
    assert detect_police_uk(POLICE_UK_HEADERS) is not None
    assert detect_police_uk([h.lower() for h in POLICE_UK_HEADERS[:10]]) is not None  # no outcome, context
    assert detect_police_uk(["Crime ID", "Month", "Reported by", "Falls within", "Crime type"]) is None


def test_near_miss_says_what_is_missing():
    headers = [h for h in POLICE_UK_HEADERS if h != "Falls within"]
    assert "'falls within' is missing" in explain_police_uk(headers)
    assert "'crime type' is missing" in explain_police_uk(POLICE_UK_HEADERS[:9])
    outcomes = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                "LSOA code", "LSOA name", "Outcome type"]
    assert explain_police_uk(outcomes) == ""  # the archive's outcomes files are other files
    assert explain_police_uk(["Month", "Falls within", "Crime type", "Location"]) == ""
    assert explain_police_uk(["kpi_code", "month", "value"]) == ""


def context_for(skip=frozenset()):
    forces = [(1, "Leicestershire", "leicestershire", ["Leicestershire Police"]),
              (2, "Nottinghamshire", "nottinghamshire", ["Nottinghamshire Police"])]
    rules = [
        (10, "police_uk", "crime_type", "*", False),
        (10, "police_uk", "crime_type", "Anti-social behaviour", True),
        (11, "police_uk", "crime_type", "Bicycle theft", False),
        (12, "home_office", "offence_subgroup", "Shoplifting", False),  # another source: ignored here
    ]
    return NationalContext(ForceMatcher(forces), MappingIndex(rules), frozenset(skip),
                           "Leicestershire is the home force, so its rows were left out: {count:,}.")


def street(force, month, types, name=None):
    rows = [POLICE_UK_HEADERS, *street_rows(force, month, types)]
    return numbered(rows, name=name or f"{month}-{force}.csv")


def test_rows_are_counted_per_force_month_and_crime_type():
    sheets = [
        street("Leicestershire Police", "2019-03", ["Bicycle theft", "Bicycle theft", "Burglary",
                                                   "Anti-social behaviour"]),
        street("Leicestershire Police", "2019-04", ["Burglary"]),
        street("Nottinghamshire Police", "2019-03", ["Anti-social behaviour"]),
    ]
    plan = plan_police_uk(sheets, file_name="street.zip", context=context_for())
    assert plan.ok, plan.problems
    assert plan.values == {
        (10, 1, *MARCH): 3, (11, 1, *MARCH): 2,
        (10, 1, *APRIL): 1, (11, 1, *APRIL): 0,  # a month with rows but no bicycle theft is 0
        (10, 2, *MARCH): 0, (11, 2, *MARCH): 0,
    }
    assert plan.rows_read == 6
    # the two anti-social behaviour rows: all crime leaves them out and no other KPI counts them
    unmapped = "Rows of crime types no KPI counts (no national mapping names them), not imported: 2."
    assert unmapped in plan.notes


def test_unknown_forces_and_other_files_are_notes():
    sheets = [
        street("Police Service of Northern Ireland", "2019-03", ["Burglary", "Robbery"]),
        street("Leicestershire Police", "2019-03", ["Burglary"]),
        numbered([["Crime ID", "Month", "Reported by", "Falls within", "Outcome type"]],
                 name="2019-03/2019-03-leicestershire-outcomes.csv"),
        Sheet("2019-03/2019-03-rutland-street.csv", []),  # an empty file says nothing
    ]
    plan = plan_police_uk(sheets, file_name="street.zip", context=context_for())
    assert plan.ok
    assert (
        "Forces that are no organisation here, left out: Police Service of Northern Ireland (2 rows). "
        "To import them, add them under Organisations (or as another name of an organisation)."
    ) in plan.notes
    assert ("1 sheets are not street-level crime files, skipped: "
            "2019-03/2019-03-leicestershire-outcomes.csv.") in plan.notes


def test_bad_months_are_problems_with_where():
    rows = street_rows("Leicestershire Police", "2019-03", ["Burglary", "Burglary"])
    rows[1][1] = "March"
    sheet = numbered([POLICE_UK_HEADERS, *rows], name="2019-03/2019-03-leicestershire-street.csv")
    plan = plan_police_uk([sheet], file_name="street.zip", context=context_for())
    assert not plan.ok
    assert str(plan.problems[0]) == (
        "street.zip, sheet 2019-03/2019-03-leicestershire-street.csv, row 3, column B (Month): "
        "'March' is not a month: police.uk writes months as 2019-03."
    )


def test_the_home_force_can_be_left_out():
    sheets = [street("Leicestershire Police", "2019-03", ["Burglary"]),
              street("Nottinghamshire Police", "2019-03", ["Burglary"])]
    plan = plan_police_uk(sheets, file_name="x.csv", context=context_for(skip={1}))
    assert set(plan.values) == {(10, 2, *MARCH), (11, 2, *MARCH)}
    assert "Leicestershire is the home force, so its rows were left out: 1." in plan.notes


def test_no_mappings_is_a_problem():
    context = NationalContext(context_for().forces, MappingIndex([]))
    sheets = [street("Leicestershire", "2019-03", ["Burglary"])]
    plan = plan_police_uk(sheets, file_name="x.csv", context=context)
    assert "No KPI counts police.uk crime types yet" in plan.problems[0].message


@pytest.mark.django_db
def test_a_street_csv_read_by_the_file_reader(db):
    load_forces(Organisation, PeerGroup)
    Organisation.make_home(Organisation.objects.get(code="leicestershire"))
    bikes = Kpi.objects.create(code="3.9", name="Bicycle theft", category="Crime")
    load_default_mappings(Kpi, NationalMapping)
    rows = street_rows("Avon and Somerset Constabulary", "2019-03", ["Bicycle theft"] * 3)
    content = street_csv(rows + street_rows("Leicestershire Police", "2019-03", ["Bicycle theft"]))
    sheet = read_sheet(content=content, file_name="2019-03-avon-and-somerset-street.csv")
    plan = plan_police_uk([sheet], file_name=sheet.name, context=national_context(skip_home=True))
    avon = Organisation.objects.get(code="avon-and-somerset").pk
    assert plan.values == {(bikes.pk, avon, *MARCH): 3}
    home_note = "Leicestershire is the home force, so its rows were left out"
    assert any(n.startswith(home_note) for n in plan.notes)


def test_the_monthly_archive_layout():
    leics = street_csv(street_rows("Leicestershire Police", "2019-03", ["Bicycle theft"]))
    notts = street_csv(street_rows("Nottinghamshire Police", "2019-03", ["Burglary"]))
    archive = street_zip({
        "2019-03/2019-03-leicestershire-street.csv": leics,
        "2019-03/2019-03-nottinghamshire-street.csv": notts,
    })
    # The workbook reader reads a zip of csv files as sheets; here the members are read one by one.
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
        sheets = [read_sheet(content=opened.read(n), file_name=n.rsplit("/", 1)[-1]) for n in names]
    plan = plan_police_uk(sheets, file_name="2019-03.zip", context=context_for())
    assert plan.values[(11, 1, *MARCH)] == 1 and plan.values[(10, 2, *MARCH)] == 1
