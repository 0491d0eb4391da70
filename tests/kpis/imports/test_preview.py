"""Imports that say what they will do: whose figures (chosen on the form, the home force by
default), which KPIs over which months, new / changed / unchanged per KPI, empty cells
skipped; and the import record keeps the organisation."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import ImportBatch, Observation, Organisation

from ..files import csv_bytes, xlsx_bytes

IMPORT = "admin:kpis_observation_import"
CONFIRM = "admin:kpis_observation_process_import"
MONTHS = ["2021-04", "2021-05", "2021-06", "2021-07"]
# Two KPIs, four months; 1.2 has no figure yet for July (an empty cell).
WIDE = [["kpi_code", *MONTHS], ["1.1", 100, 110, 120, 130], ["1.2", 50, 51, 52, None]]


@pytest.fixture
def northshire(db):
    return Organisation.objects.create(name="Northshire Police", code="northshire")


def upload(client, content, name, **fields):
    return client.post(
        reverse(IMPORT), {"import_file": SimpleUploadedFile(name, content), "sheet": "", **fields}
    )


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def row_of(html: str, code: str) -> list[str]:
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(code)} [^<]*</th>(.*?)</tr>", html, re.S).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


def test_the_preview_says_whose_figures_which_months_and_what_changes_per_kpi(
    client, editor, kpis, northshire
):
    home = Organisation.home()
    Observation.objects.create(
        kpi=kpis["1.1"],
        organisation=northshire,
        period_start="2021-04-01",
        period_end="2021-04-30",
        value=100,
    )
    Observation.objects.create(
        kpi=kpis["1.1"], organisation=northshire, period_start="2021-05-01", period_end="2021-05-31", value=99
    )
    client.force_login(editor)
    form = client.get(reverse(IMPORT)).content.decode()
    assert re.search(rf'<option value="{home.pk}" selected>', form), "the home force is chosen by default"

    preview = upload(client, xlsx_bytes(WIDE), "northshire.xlsx", organisation=northshire.pk)
    html = preview.content.decode()
    assert "<dt>Organisation</dt><dd>Northshire Police</dd>" in html
    assert "<dt>Months</dt><dd>Apr 2021 – Jul 2021</dd>" in html
    assert "<dt>Empty cells skipped</dt><dd>1 (months with no figure yet" in html
    assert row_of(html, "1.1") == ["Apr 2021 – Jul 2021", "2", "1", "1"]  # new, changed, unchanged
    assert row_of(html, "1.2") == ["Apr 2021 – Jun 2021", "3", "0", "0"]

    client.post(reverse(CONFIRM), {"token": token_of(preview)})
    batch = ImportBatch.objects.get()
    assert batch.organisation == northshire
    assert Observation.objects.filter(organisation=northshire).count() == 7
    assert not Observation.objects.filter(organisation=home).exists()
    assert Observation.objects.get(kpi=kpis["1.1"], period_start="2021-05-01").value == Decimal("110")
    listing = client.get(reverse("admin:kpis_importbatch_changelist")).content.decode()
    assert "Northshire Police" in listing


def test_without_a_choice_the_figures_are_the_home_forces(client, editor, kpis, northshire):
    client.force_login(editor)
    preview = upload(client, csv_bytes([["kpi_code", "month", "value"], ["1.1", "2021-04", "5"]]), "one.csv")
    assert f"<dt>Organisation</dt><dd>{Organisation.home().name}</dd>" in preview.content.decode()
    client.post(reverse(CONFIRM), {"token": token_of(preview)})
    assert ImportBatch.objects.get().organisation == Organisation.home()


def test_an_organisation_column_wins_and_a_mixed_file_records_no_single_organisation(
    client, editor, kpis, northshire
):
    rows = [
        ["kpi_code", "month", "value", "organisation"],
        ["1.1", "2021-04", "5", "northshire"],
        ["1.1", "2021-04", "7", ""],  # blank: the organisation chosen on the form
    ]
    other = Organisation.objects.create(name="Southshire Police", code="southshire")
    client.force_login(editor)
    preview = upload(client, csv_bytes(rows), "mixed.csv", organisation=other.pk)
    assert "<dt>Organisation</dt><dd>Northshire Police, Southshire Police</dd>" in preview.content.decode()
    client.post(reverse(CONFIRM), {"token": token_of(preview)})
    assert ImportBatch.objects.get().organisation is None
    assert Observation.objects.get(organisation=other).value == 7


def test_the_organisation_cannot_be_swapped_between_preview_and_confirm(client, editor, kpis, northshire):
    client.force_login(editor)
    preview = upload(client, xlsx_bytes(WIDE), "northshire.xlsx", organisation=northshire.pk)
    client.post(reverse(CONFIRM), {"token": token_of(preview), "organisation": Organisation.home().pk})
    assert set(Observation.objects.values_list("organisation", flat=True)) == {northshire.pk}
