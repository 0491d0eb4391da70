"""kpis/exporting.py: exports read back from their bytes, formulas neutralised, round trips."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpis import exporting, imports
from kpis.models import Kpi, Observation
from portal.spreadsheet_safety import FORMULA_STARTS

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def read_xlsx(body: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(body))  # not data_only: a formula would show as one
    ws = wb.worksheets[0]
    types = {cell.data_type for row in ws.iter_rows() for cell in row}
    assert "f" not in types
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def hostile_kpis(home):
    for i, text in enumerate(HOSTILE):
        Kpi.objects.create(code=f"9.{i}", name=text, category=text, description=text)
    return Kpi.objects.all()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogue_export_neutralises_formulas_in_the_bytes(hostile_kpis, fmt):
    body = exporting.catalogue_export(queryset=Kpi.objects.all(), fmt=fmt)
    rows = read_csv(body) if fmt == "csv" else read_xlsx(body)
    assert rows[0] == list(imports.CATALOGUE_COLUMNS)
    names = [row[1] for row in rows[1:]]
    assert names == ["'" + text for text in HOSTILE]
    for row in rows[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS))
    if fmt == "csv":
        for line in body[3:].decode().splitlines()[1:]:
            assert not line.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_observations_export_round_trips_through_the_import(kpis, home, fmt):
    for m, value in ((4, 150536), (5, -11534), (6, "1234.5")):
        Observation.objects.create(
            kpi=kpis["1.1"],
            organisation=home,
            period_start=date(2018, m, 1),
            period_end=date(2018, m, 28),
            value=value,
        )
    Observation.objects.filter(period_start__month=4).update(period_end=date(2018, 4, 30))
    Observation.objects.filter(period_start__month=5).update(period_end=date(2018, 5, 31))
    Observation.objects.filter(period_start__month=6).update(period_end=date(2018, 6, 30))
    body = exporting.observations_export(queryset=Observation.objects.all(), fmt=fmt)
    rows = read_csv(body) if fmt == "csv" else read_xlsx(body)
    assert rows[0] == ["kpi_code", "organisation", "month", "value"]
    assert [r[3] for r in rows[1:]] in (
        [150536, -11534, 1234.5],
        ["150536", "-11534", "1234.5"],
    )
    outcome = imports.spreadsheet_import(content=body, file_name=f"export.{fmt}", dry_run=True)
    assert outcome.ok, outcome.problems
    assert outcome.counts() == {"new": 0, "changed": 0, "unchanged": 3, "errors": 0}


def test_catalogue_export_round_trips(hostile_kpis):
    body = exporting.catalogue_export(queryset=Kpi.objects.all(), fmt="xlsx")
    outcome = imports.spreadsheet_import(content=body, file_name="cat.xlsx", dry_run=True)
    assert outcome.ok, outcome.problems
    # The import strips the export's guard again, so nothing changes.
    assert outcome.unchanged == len(HOSTILE) and outcome.changed == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_export_download_honours_the_search(client, editor, hostile_kpis, fmt):
    client.force_login(editor)
    Kpi.objects.create(code="1.1", name="Number of 999 Calls", category="Calls")
    response = client.get(reverse("admin:kpis_kpi_export", args=[fmt]) + "?q=999")
    assert response.status_code == 200
    assert response["Content-Type"] == exporting.CONTENT_TYPES[fmt]
    rows = read_csv(response.content) if fmt == "csv" else read_xlsx(response.content)
    assert [r[0] for r in rows[1:]] == ["1.1"]
    assert client.get(reverse("admin:kpis_kpi_export", args=["pdf"])).status_code == 404


def test_export_refused_without_view_permission(client, panel_member, home):
    client.force_login(panel_member)
    assert client.get(reverse("admin:kpis_kpi_export", args=["csv"])).status_code == 302


def test_observations_with_stated_periods_export_in_the_periods_layout(kpis, home):
    Observation.objects.create(
        kpi=kpis["1.1"],
        organisation=home,
        period_start=date(2018, 1, 1),
        period_end=date(2018, 12, 31),
        value=72,
    )
    Observation.objects.create(
        kpi=kpis["1.1"],
        organisation=home,
        period_start=date(2018, 4, 1),
        period_end=date(2018, 4, 30),
        value=5,
    )
    body = exporting.observations_export(queryset=Observation.objects.all(), fmt="csv")
    rows = read_csv(body)
    assert rows[0] == ["kpi_code", "organisation", "period_start", "period_end", "value"]
    assert rows[1:] == [
        ["1.1", "leicestershire", "2018-01-01", "2018-12-31", "72"],
        ["1.1", "leicestershire", "2018-04-01", "2018-04-30", "5"],
    ]
    outcome = imports.spreadsheet_import(content=body, file_name="export.csv", dry_run=True)
    assert outcome.ok and outcome.unchanged == 2
