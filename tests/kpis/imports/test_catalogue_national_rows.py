"""The catalogue's national_rows column: a KPI's national mappings imported, checked as the
admin inline checks them, exported, and round-tripped."""

import csv
import io

import pytest
from django.urls import reverse

from kpis import exporting, imports, signals
from kpis.models import Kpi
from kpis.national.models import NationalMapping

from ..files import csv_bytes, make
from ..test_admin import count, token_of, upload

HEADER = ["code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "national_rows"]
ALL_CRIME = "home_office:offence_group=*; -home_office:offence_group=Fraud offences"


def catalogue(*cells: str, header: list[str] = HEADER) -> list[list]:
    """One count KPI per cell: 6.1, 6.2, …, each with that national_rows cell."""
    rows = [header]
    for i, cell in enumerate(cells, start=1):
        rows.append([f"6.{i}", f"Crime {i}", "Crime", "count", "sum", "down", 0, cell])
    return rows


def run(rows, **kw):
    return imports.spreadsheet_import(content=csv_bytes(rows), file_name="catalogue.csv", **kw)


def mappings(code: str) -> set[tuple]:
    return set(
        NationalMapping.objects.filter(kpi__code=code).values_list("source", "field", "value", "exclude")
    )


def problems_of(outcome) -> list[tuple]:
    return [(p.row, p.column, p.header, p.message) for p in outcome.problems]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_new_kpis_get_their_mappings(home, editor, fmt):
    rows = catalogue(ALL_CRIME, "police_uk:crime_type=Bicycle theft", "")
    outcome = imports.spreadsheet_import(content=make(fmt, rows), file_name=f"c.{fmt}", user=editor)
    assert outcome.ok, problems_of(outcome)
    assert outcome.counts() == {"new": 3, "changed": 0, "unchanged": 0, "errors": 0}
    assert mappings("6.1") == {
        ("home_office", "offence_group", "*", False),
        ("home_office", "offence_group", "Fraud offences", True),
    }
    assert mappings("6.2") == {("police_uk", "crime_type", "Bicycle theft", False)}
    assert mappings("6.3") == set()


def test_changed_mappings_count_as_changed_and_are_recorded_as_an_edit(home, editor):
    run(catalogue(ALL_CRIME, "police_uk:crime_type=Robbery"), user=editor)
    assert run(catalogue(ALL_CRIME, "police_uk:crime_type=Robbery")).counts()["unchanged"] == 2
    # The same mappings in another order, spacing or case of the source are no change.
    same = "-home_office:offence_group=Fraud  offences ;home_office:offence_group=*"
    assert run(catalogue(same, "police_uk:crime_type=Robbery"), dry_run=True).counts()["unchanged"] == 2
    before = Kpi.objects.get(code="6.2").edit_version
    heard = []

    def listener(sender, *, by, kpi_ids, **kwargs):
        heard.append((by, kpi_ids))

    signals.catalogue_changed.connect(listener)
    try:
        outcome = run(catalogue(ALL_CRIME, "police_uk:crime_type=Shoplifting"), user=editor)
    finally:
        signals.catalogue_changed.disconnect(listener)
    assert outcome.counts() == {"new": 0, "changed": 1, "unchanged": 1, "errors": 0}
    assert mappings("6.2") == {("police_uk", "crime_type", "Shoplifting", False)}
    kpi = Kpi.objects.get(code="6.2")
    assert kpi.edit_version == before + 1 and kpi.edited_by == editor
    assert heard == [(editor, {kpi.pk})]  # drafts showing the KPI learn it changed


def test_a_blank_cell_removes_the_mappings_and_a_file_without_the_column_keeps_them(home, editor):
    run(catalogue(ALL_CRIME), user=editor)
    without = [row[:-1] for row in catalogue(ALL_CRIME)]
    outcome = run(without, user=editor)
    assert outcome.counts()["unchanged"] == 1 and len(mappings("6.1")) == 2
    outcome = run(catalogue(""), user=editor)
    assert outcome.counts() == {"new": 0, "changed": 1, "unchanged": 0, "errors": 0}
    assert mappings("6.1") == set()


def test_the_readable_header_is_accepted(home):
    header = [*HEADER[:-1], "National rows"]
    outcome = run(catalogue("police_uk:crime_type=Drugs", header=header))
    assert outcome.ok, problems_of(outcome)
    assert mappings("6.1") == {("police_uk", "crime_type", "Drugs", False)}
    header = [*HEADER[:-1], "National mappings"]
    assert run(catalogue("", header=header), dry_run=True).ok


@pytest.mark.parametrize(
    "cell,expected",
    [
        (
            "home_ofice:offence_group=Robbery",
            "'home_ofice' is not a national source: use home_office or police_uk. "
            "Did you mean 'home_office'?",
        ),
        (
            "home_office:offence_grup=Robbery",
            "'offence_grup' is not a column of Home Office police recorded crime (PRC tables) files: "
            "use offence_group, offence_subgroup, offence_code. Did you mean 'offence_group'?",
        ),
        (
            "police_uk:offence_group=Robbery",
            "police.uk street-level crime files have no offence group column: use crime type.",
        ),
        (
            "home_office:crime_type=Robbery",
            "Home Office police recorded crime (PRC tables) files have no crime type column",
        ),
        (
            "home_office:offence_subgroup=Violence with injuy",
            "'Violence with injuy' is not a published offence subgroup; did you mean 'Violence with injury'?",
        ),
        ("police_uk:crime_type=Bicycles", "'Bicycles' is not a police.uk crime type"),
        ("home_office:offence_code=XYZ", "'XYZ' is not an offence code"),
        (
            "home_office:offence_group=*; -home_office:offence_group=*",
            "'*' means every row: it can only be included, not excluded.",
        ),
        (
            "-home_office:offence_group=Fraud offences",
            "Home Office police recorded crime (PRC tables): these mappings only exclude rows",
        ),
        (
            "police_uk:crime_type=Robbery; police_uk:crime_type=Robbery",
            "police_uk:crime_type=Robbery: this value is mapped twice.",
        ),
        ("offence_group=Robbery", "is not a national mapping: write source:column=value"),
    ],
)
def test_bad_mappings_say_where_and_what(home, cell, expected):
    outcome = run(catalogue(ALL_CRIME, cell))
    assert not outcome.ok and not Kpi.objects.exists()
    found = [p for p in problems_of(outcome) if expected in p[3]]
    assert found and found[0][:3] == (3, "H", "national_rows"), problems_of(outcome)
    assert all(p.file_name == "catalogue.csv" for p in outcome.problems)


def test_only_a_summed_count_may_be_mapped(home):
    rows = catalogue("police_uk:crime_type=Robbery")
    rows[1][3], rows[1][4] = "percent", "mean"
    outcome = run(rows)
    assert not outcome.ok
    assert any("National files count offences" in p[3] and p[:2] == (2, "H") for p in problems_of(outcome))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_unchanged(home, editor, fmt):
    run(catalogue(ALL_CRIME, "police_uk:crime_type=Anti-social behaviour", ""), user=editor)
    odd = Kpi.objects.get(code="6.3")
    for value, exclude in (("*", False), ("Robbery", True)):
        NationalMapping.objects.create(
            kpi=odd, source="police_uk", field="crime_type", value=value, exclude=exclude
        )
    # A value no spreadsheet may run as a formula, and one with '=' in it.
    NationalMapping.objects.create(kpi=odd, source="home_office", field="offence_group", value="=x=1")
    body = exporting.catalogue_export(queryset=Kpi.objects.all(), fmt=fmt)
    before = {code: mappings(code) for code in ("6.1", "6.2", "6.3")}
    outcome = imports.spreadsheet_import(content=body, file_name=f"export.{fmt}", user=editor)
    assert outcome.ok, problems_of(outcome)
    assert outcome.counts() == {"new": 0, "changed": 0, "unchanged": 3, "errors": 0}
    assert {code: mappings(code) for code in before} == before
    # Into an empty catalogue, the file alone makes the same mappings.
    Kpi.objects.all().delete()
    outcome = imports.spreadsheet_import(content=body, file_name=f"export.{fmt}", user=editor)
    assert outcome.counts()["new"] == 3
    assert {code: mappings(code) for code in before} == before


def test_export_writes_the_cell_and_neutralises_a_leading_exclude(home):
    kpi = Kpi.objects.create(code="6.1", name="x", unit="count", aggregation="sum")
    # Only an exclude: the admin refuses it, but a cell starting '-' must not run as a formula.
    NationalMapping.objects.create(
        kpi=kpi, source="police_uk", field="crime_type", value="Drugs", exclude=True
    )
    body = exporting.catalogue_export(queryset=Kpi.objects.all(), fmt="csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "national_rows"
    assert rows[1][-1] == "'-police_uk:crime_type=Drugs"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_blank_template_has_the_column(home, fmt):
    body = exporting.import_template(layout="catalogue", fmt=fmt)
    assert "national_rows" in (body.decode("utf-8-sig") if fmt == "csv" else _xlsx_header(body))
    outcome = imports.spreadsheet_import(content=body, file_name=f"t.{fmt}", dry_run=True)
    assert outcome.ok and outcome.counts()["new"] == 1


def _xlsx_header(body: bytes) -> list:
    from openpyxl import load_workbook

    return next(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))


def test_the_admin_preview_counts_a_mapping_change(client, editor, home):
    run(catalogue("police_uk:crime_type=Robbery"), user=editor)
    client.force_login(editor)
    content = csv_bytes(catalogue("police_uk:crime_type=Drugs"))
    response = upload(client, content, "c.csv", url="admin:kpis_kpi_import")
    assert (count(response, "changed"), count(response, "unchanged"), count(response, "errors")) == (1, 0, 0)
    assert mappings("6.1") == {("police_uk", "crime_type", "Robbery", False)}  # a preview writes nothing
    client.post(reverse("admin:kpis_kpi_process_import"), {"token": token_of(response)})
    assert mappings("6.1") == {("police_uk", "crime_type", "Drugs", False)}
