"""The registry of layouts: a layout registered from outside kpis/imports is recognised by its
header row, may read every sheet of a workbook into one plan of stated-period values, and
leaves notes (not problems) on the outcome and the preview page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.cells import cell_text
from kpis.imports import (
    OBSERVATIONS,
    Columns,
    Layout,
    register,
    registered,
    spreadsheet_import,
    unregister,
)
from kpis.imports.period_cells import parse_period
from kpis.imports.registry import unknown_layout_message
from kpis.models import ImportBatch, Kpi, Observation, Organisation

from ..files import csv_bytes, ods_bytes, xlsx_bytes
from .test_import import LONG

# --------------------------------------------------------------------------- a layout of "another package"
# Shaped like a national open-data table: one sheet per financial year, a row per force
# and offence, and rows for bodies that are not forces.
HEADERS = ["Financial Year", "Force Name", "Offence Code", "Number of Offences"]
OFFENCE_KPIS = {"8O": "3.1"}  # offence code -> KPI code
NOT_A_FORCE = "skipped {count:,} rows for {name}, which is not a force"


def detect_offences(header, problems):
    if not {"financial_year", "force_name", "number_of_offences"} <= set(header.names):
        return None
    index = {name: header.names.index(name) for name in ("financial_year", "force_name", "offence_code")}
    index["value"] = header.names.index("number_of_offences")
    return Columns("test offences", index)


def plan_offences(rows, columns, problems, context):
    idx, skipped = columns.index, {}
    for number, cells in rows.body:
        force = cell_text(cells[idx["force_name"]])
        org_id = context.organisations.get(force)
        if org_id is None:
            skipped[force] = skipped.get(force, 0) + 1
            continue
        kpi_id = context.kpis[OFFENCE_KPIS[cell_text(cells[idx["offence_code"]])]]
        period = parse_period(cells[idx["financial_year"]])
        value = Decimal(cell_text(cells[idx["value"]]))
        first = context.plan.add((kpi_id, org_id, *period), value, number)
        if first is not None:
            problems.add(f"{force} is given twice (first in row {first}).", number, idx["value"])
    for name, count in skipped.items():
        context.plan.note(NOT_A_FORCE.format(count=count, name=name))


OFFENCES = Layout(
    name="test offences",
    label="recorded offences (test)",
    kind=OBSERVATIONS,
    detect=detect_offences,
    plan=plan_offences,
    headers="'Financial Year, Force Name, Offence Code, Number of Offences'",
    order=5,
    every_sheet=True,
)


@pytest.fixture
def offences_layout():
    register(OFFENCES)
    yield OFFENCES
    unregister(OFFENCES.name)


@pytest.fixture
def kent(kpis):
    return Organisation.objects.create(name="Kent Police", code="kent")


def year_rows(year: str, leicestershire: int, kent: int, fraud: int = 0):
    rows = [HEADERS, [year, "Leicestershire Police", "8O", leicestershire], [year, "Kent Police", "8O", kent]]
    rows += [[year, "Action Fraud", "8O", 1]] * fraud
    return rows


def stored():
    return {
        (o.organisation.code, o.period_start, o.period_end): o.value
        for o in Observation.objects.select_related("organisation")
    }


# --------------------------------------------------------------------------- registry
def test_a_layout_registered_from_outside_the_package_is_recognised_by_its_headers(offences_layout, kent):
    outcome = spreadsheet_import(content=csv_bytes(year_rows("2018/19", 100, 200)), file_name="o.csv")
    assert outcome.ok, outcome.problems
    assert (outcome.layout, outcome.kind, outcome.new) == ("test offences", OBSERVATIONS, 2)
    assert stored() == {
        ("leicestershire", date(2018, 4, 1), date(2019, 3, 31)): Decimal(100),
        ("kent", date(2018, 4, 1), date(2019, 3, 31)): Decimal(200),
    }
    assert ImportBatch.objects.get().layout == "test offences"


def test_an_unregistered_layout_is_unknown_and_the_message_names_every_registered_one(kpis):
    outcome = spreadsheet_import(content=csv_bytes(year_rows("2018/19", 1, 2)), file_name="o.csv")
    assert [p.message for p in outcome.problems] == [unknown_layout_message()]
    register(OFFENCES)
    try:
        assert "'Financial Year, Force Name, Offence Code, Number of Offences'" in unknown_layout_message()
        assert registered()[0] is OFFENCES  # order 5: before the built-in layouts
    finally:
        unregister(OFFENCES.name)
    assert OFFENCES not in registered()


def test_a_second_layout_of_the_same_name_and_bad_layouts_are_refused(offences_layout):
    with pytest.raises(ValueError, match="already registered"):
        register(Layout(name="test offences", label="x", kind=OBSERVATIONS, detect=None, plan=None))
    with pytest.raises(ValueError, match="1 to 20 characters"):
        Layout(name="a name far too long to store", label="x", kind=OBSERVATIONS, detect=None, plan=None)
    with pytest.raises(ValueError, match="kind"):
        Layout(name="x", label="x", kind="figures", detect=None, plan=None)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_an_every_sheet_layout_plans_every_sheet_into_one_plan(offences_layout, kent, fmt):
    maker = xlsx_bytes if fmt == "xlsx" else ods_bytes
    sheets = {
        "Notes": [["Police recorded crime by force"], ["Source: a test"]],
        "2018-19": year_rows("2018/19", 100, 200, fraud=3),
        "2019-20": year_rows("2019/20", 110, 190, fraud=2),
    }
    outcome = spreadsheet_import(content=maker(sheets=sheets), file_name=f"crime.{fmt}")
    assert outcome.ok, outcome.problems
    assert outcome.new == 4 and outcome.sheet == "2018-19, 2019-20"
    assert outcome.notes == [
        "Sheet 'Notes' was skipped: its headers are not the recorded offences (test) layout.",
        "skipped 3 rows for Action Fraud, which is not a force",
        "skipped 2 rows for Action Fraud, which is not a force",
    ]
    assert stored()[("kent", date(2019, 4, 1), date(2020, 3, 31))] == Decimal(190)
    assert ImportBatch.objects.get().rows_new == 4  # one import of both sheets


def test_a_figure_given_in_two_sheets_is_a_problem_naming_both(offences_layout, kent):
    sheets = {"First": year_rows("2018/19", 100, 200), "Second": year_rows("2018/19", 100, 200)}
    outcome = spreadsheet_import(content=xlsx_bytes(sheets=sheets), file_name="twice.xlsx")
    assert not outcome.written and not Observation.objects.exists()
    assert str(outcome.problems[0]) == (
        "twice.xlsx, row 2, column D: Sheet 'Second': Leicestershire Police is given twice "
        "(first in row 2 of sheet 'First')."
    )


def test_naming_a_sheet_reads_only_that_one(offences_layout, kent):
    sheets = {"2018-19": year_rows("2018/19", 100, 200), "2019-20": year_rows("2019/20", 110, 190)}
    outcome = spreadsheet_import(content=xlsx_bytes(sheets=sheets), file_name="c.xlsx", sheet="2019-20")
    assert outcome.ok and outcome.new == 2 and outcome.sheet == "2019-20"


def test_without_an_every_sheet_layout_a_cover_sheet_still_means_an_unknown_layout(kpis):
    sheets = {"Notes": [["About these figures"]], "Data": LONG}
    outcome = spreadsheet_import(content=xlsx_bytes(sheets=sheets), file_name="s.xlsx")
    assert [p.message for p in outcome.problems] == [unknown_layout_message()]


def test_notes_are_shown_on_the_preview_page(client, editor, offences_layout, kent):
    client.force_login(editor)
    content = csv_bytes(year_rows("2018/19", 100, 200, fraud=1234))
    page = client.post(
        reverse("admin:kpis_observation_import"),
        {"import_file": SimpleUploadedFile("crime.csv", content), "sheet": ""},
    ).content.decode()
    notes = re.search(r'<ul id="import-notes"[^>]*>(.*?)</ul>', page, re.S).group(1)
    assert "skipped 1,234 rows for Action Fraud, which is not a force" in notes
    assert 'name="token"' in page  # notes are not problems: the import can be confirmed
    assert "<dt>Months</dt><dd>Apr 2018 – Mar 2019</dd>" in page  # stated periods in the preview
    assert Kpi.objects.get(code="3.1").observations.count() == 0
