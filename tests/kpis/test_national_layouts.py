"""The national layouts in the import registry: a Home Office table and police.uk files go
through the ordinary import and the admin's import page (preview counts, notes, write)."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis import imports
from kpis.models import ImportBatch, Kpi, NationalMapping, Observation, Organisation, PeerGroup
from kpis.national.force_loading import load_forces
from kpis.national.mapping_loading import load_default_mappings
from tests.kpis.national_fixtures import (
    FRAUD,
    OFFENCES,
    POLICE_UK_HEADERS,
    PRC_HEADERS,
    prc_csv,
    prc_ods,
    prc_rows,
    street_csv,
    street_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(db):
    load_forces(Organisation, PeerGroup)
    Organisation.make_home(Organisation.objects.get(code="leicestershire"))
    all_crime = Kpi.objects.create(code="3.1", name="All Crime", category="Crime")
    bikes = Kpi.objects.create(code="3.9", name="Bicycle theft", category="Crime")
    vwi = Kpi.objects.create(code="3.2", name="Violence with injury", category="Crime")
    load_default_mappings(Kpi, NationalMapping)
    return all_crime, bikes, vwi


def test_layouts_are_registered():
    names = {layout.name for layout in imports.registered()}
    assert {"home office", "police.uk street"} <= names


def test_a_home_office_workbook_imports_quarters_and_years(national):
    all_crime, _bikes, vwi = national
    forces = ["Leicestershire", "Avon & Somerset"]
    by_year = {
        2019: prc_rows([*forces, "Action Fraud"], [2019], offences=[*OFFENCES, FRAUD]),
        2020: prc_rows(forces, [2020], quarters=(1, 2)),
    }
    content = prc_ods(by_year)
    preview = imports.spreadsheet_import(content=content, file_name="prc.ods", dry_run=True)
    assert preview.ok, [str(p) for p in preview.problems]
    assert preview.layout == "home office"
    # 2 forces × 3 KPIs × (4 quarters + 1 year + 2 quarters of 2020/21)
    assert preview.new == 2 * 3 * 7
    assert any(n.startswith("Not police forces, left out: Action Fraud (52 rows)") for n in preview.notes)
    assert any(n.startswith("2020/21: the file has only Q1, Q2 for every force") for n in preview.notes)

    written = imports.spreadsheet_import(content=content, file_name="prc.ods")
    assert written.written and written.batch.kind == ImportBatch.Kind.NATIONAL
    avon = Organisation.objects.get(code="avon-and-somerset")
    year = Observation.objects.get(
        kpi=vwi, organisation=avon, period_start=date(2019, 4, 1), period_end=date(2020, 3, 31)
    )
    assert year.value == 4
    partial_year = Observation.objects.filter(period_start=date(2020, 4, 1), period_end=date(2021, 3, 31))
    assert not partial_year.exists()
    again = imports.spreadsheet_import(content=content, file_name="prc.ods", dry_run=True)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 42)


def test_a_near_miss_says_what_is_missing(national):
    content = prc_csv([]).replace(b"Offence Subgroup,", b"")
    assert PRC_HEADERS[5] == "Offence Subgroup"
    outcome = imports.spreadsheet_import(content=content, file_name="prc.csv", dry_run=True)
    assert not outcome.ok
    assert "'Offence Subgroup' is missing" in " ".join(str(p) for p in outcome.problems)


def test_police_uk_files_import_months_without_the_home_force(national):
    _all_crime, bikes, _vwi = national
    rows = street_rows("Avon and Somerset Constabulary", "2019-03", ["Bicycle theft", "Burglary"])
    rows += street_rows("Leicestershire Police", "2019-03", ["Bicycle theft"])
    rows += street_rows("Police Service of Northern Ireland", "2019-03", ["Bicycle theft"])
    name = "2019-03-avon-and-somerset-street.csv"
    outcome = imports.spreadsheet_import(content=street_csv(rows), file_name=name)
    assert outcome.ok and outcome.written, [str(p) for p in outcome.problems]
    assert outcome.layout == "police.uk street"
    avon = Organisation.objects.get(code="avon-and-somerset")
    assert Observation.objects.get(kpi=bikes, organisation=avon, period_start=date(2019, 3, 1)).value == 1
    assert not Observation.objects.filter(organisation__is_home=True).exists()
    assert any("Police Service of Northern Ireland (1 row)" in n for n in outcome.notes)
    assert POLICE_UK_HEADERS[3] == "Falls within"


def test_the_admin_previews_a_national_workbook_then_the_confirm_step_writes_it(client, editor, national):
    """The ordinary observations import page: a Home Office ods of several yearly sheets,
    with a non-force body, previewed (counts and notes, nothing written), then confirmed."""
    forces = ["Leicestershire", "Devon & Cornwall", "London, City of"]
    by_year = {
        2018: prc_rows([*forces, "Action Fraud"], [2018], offences=[*OFFENCES, FRAUD]),
        2019: prc_rows(forces, [2019]),
    }
    content = prc_ods(by_year)
    client.force_login(editor)
    upload = SimpleUploadedFile("prc-pfa-mar2013-onwards-tables.ods", content)
    response = client.post(reverse("admin:kpis_observation_import"), {"import_file": upload, "sheet": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing has been written yet" in page
    assert "Action Fraud" in page  # the non-force rows are reported by name, not dropped silently
    assert not Observation.objects.exists()

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(reverse("admin:kpis_observation_process_import"), {"token": token})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.layout, batch.imported_by) == ("home office", editor)
    all_crime = national[0]
    year = {"period_start": date(2018, 4, 1), "period_end": date(2019, 3, 31)}
    years = Observation.objects.filter(kpi=all_crime, **year)
    assert {o.organisation.code for o in years} == {"leicestershire", "devon-and-cornwall", "city-of-london"}
