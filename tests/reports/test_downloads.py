"""Downloads of a published version: the PDF from storage, the figures as CSV and JSON."""

import csv
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from reports import downloads
from tests.reports.factories import make_live_publication, make_report, reference_snapshot, tiny_pdf

pytestmark = pytest.mark.django_db
SLUG = "force-performance-2018-19"
BASE = f"/reports/{SLUG}/v1/"


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _restricted(marking="OFFICIAL-SENSITIVE", audience="public"):
    snap = reference_snapshot(marking=marking)
    snap["report"]["audience"] = audience
    return make_live_publication(
        report=make_report(snapshot=snap, marking=marking, audience=audience), snapshot=snap
    )


# --------------------------------------------------------------------------- PDF
def test_pdf_is_the_stored_file_with_a_sensible_name_and_its_checksum_as_etag(client):
    pdf = tiny_pdf("Force Performance 2018/19")
    publication = make_live_publication(pdf=pdf)
    response = client.get(BASE + "report.pdf")
    body = _content(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="force-performance-2018-19-v1.pdf"'
    assert body == pdf
    assert response["ETag"] == f'"{publication.pdf_sha256}"' == f'"{hashlib.sha256(pdf).hexdigest()}"'
    assert len(PdfReader(io.BytesIO(body)).pages) == 1
    assert PdfReader(io.BytesIO(body)).metadata.title == "Force Performance 2018/19"


def test_public_downloads_may_be_cached_publicly_restricted_ones_only_privately(client, panel_member):
    make_live_publication()
    for name in ("report.pdf", "data.csv", "data.json"):
        cache = client.get(BASE + name)["Cache-Control"]
        assert "public" in cache and "max-age=" in cache, name

    from reports.models import Publication, Report

    Publication.objects.all().delete()
    Report.objects.all().delete()
    _restricted()
    client.force_login(panel_member)
    for name in ("report.pdf", "data.csv", "data.json"):
        cache = client.get(BASE + name)["Cache-Control"]
        assert "private" in cache and "public" not in cache, name


@pytest.mark.parametrize("name", ["report.pdf", "data.csv", "data.json"])
def test_conditional_get_answers_304_when_the_reader_has_the_bytes(client, name):
    make_live_publication()
    first = client.get(BASE + name)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    again = client.get(BASE + name, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert _content(again) == b""
    assert again["ETag"] == etag
    assert client.get(BASE + name, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert client.get(BASE + name, HTTP_IF_NONE_MATCH="*").status_code == 304


@pytest.mark.parametrize("name", ["report.pdf", "data.csv", "data.json"])
def test_rights_are_checked_before_any_304(client, make_user, name):
    publication = _restricted()
    etag = f'"{publication.pdf_sha256}"' if name == "report.pdf" else '"*"'
    response = client.get(BASE + name, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(make_user("nora"))
    assert client.get(BASE + name, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_missing_pdf_is_a_404_not_an_error(client, caplog):
    publication = make_live_publication()
    default_storage.delete(publication.pdf_file)
    assert client.get(BASE + "report.pdf").status_code == 404
    assert "missing from storage" in caplog.text
    make_live_publication(report=publication.report, version=2, pdf=False)
    assert client.get(f"/reports/{SLUG}/v2/report.pdf").status_code == 404


def test_files_are_not_reachable_under_a_media_url(client, settings):
    publication = make_live_publication()
    for prefix in (settings.MEDIA_URL, "/media/"):
        assert client.get(prefix + publication.pdf_file).status_code == 404


def test_head_requests_are_answered_without_a_body(client):
    make_live_publication()
    response = client.head(BASE + "data.csv")
    assert response.status_code == 200
    assert response.content == b""


# --------------------------------------------------------------------------- CSV
def _rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_every_figure_with_code_name_unit_period_and_value(client):
    publication = make_live_publication()
    response = client.get(BASE + "data.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="force-performance-2018-19-v1-data.csv"'
    rows = _rows(response)
    figures = publication.snapshot["figures"]
    assert len(rows) == len(figures) > 0
    assert list(rows[0]) == list(downloads.FIGURE_COLUMNS)
    first = rows[0]
    assert (first["kpi_code"], first["kpi_name"], first["unit"]) == ("1.1", "Number of 999 Calls", "count")
    assert (first["period_label"], first["value"]) == ("2018/19", "150536")
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("104101.0000", "104101"),
        ("72.5000", "72.5"),
        ("-3.2500", "-3.25"),
        ("100000.0000", "100000"),
        ("", ""),
    ],
)
def test_csv_values_read_as_people_write_them(stored, shown):
    assert downloads.plain_number(stored) == shown


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client):
    snap = reference_snapshot()
    snap["figures"][0]["kpi_name"] = '=HYPERLINK("http://evil.example","click")'
    snap["figures"][1]["kpi_name"] = "+cmd|' /C calc'!A0"
    snap["figures"][2]["kpi_name"] = "@SUM(1+1)"
    snap["figures"][3]["kpi_name"] = "-2+3"
    snap["figures"][4]["kpi_name"] = "\tTabbed"
    snap["figures"][5]["value"] = "-118342"
    snap["figures"][6]["value"] = None
    make_live_publication(snapshot=snap)
    rows = _rows(client.get(BASE + "data.csv"))
    assert rows[0]["kpi_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1]["kpi_name"].startswith("'+")
    assert rows[2]["kpi_name"].startswith("'@")
    assert rows[3]["kpi_name"] == "'-2+3"
    assert rows[4]["kpi_name"] == "'\tTabbed"
    assert rows[5]["value"] == "-118342"  # a number stays a number
    assert rows[6]["value"] == ""


# --------------------------------------------------------------------------- JSON
def test_json_has_the_report_and_every_figure(client):
    publication = make_live_publication()
    response = client.get(BASE + "data.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="force-performance-2018-19-v1-data.json"'
    data = json.loads(response.content)
    assert data["report"]["title"] == "Force Performance: End of Year 2018/19"
    assert data["report"]["version"] == 1
    assert data["report"]["period"]["label"] == "2018/19"
    assert data["figures"] == [
        {k: f.get(k) for k in downloads.FIGURE_COLUMNS} for f in publication.snapshot["figures"]
    ]


def test_downloads_are_frozen_and_stable(client):
    make_live_publication()
    first = client.get(BASE + "data.json")
    assert client.get(BASE + "data.json").content == first.content
    assert client.get(BASE + "data.json")["ETag"] == first["ETag"]


@pytest.mark.parametrize("name", ["report.pdf", "data.csv", "data.json", "charts/1.1.json"])
def test_downloads_and_chart_data_run_a_fixed_number_of_queries(
    client, panel_member, name, django_assert_max_num_queries
):
    make_live_publication()
    with django_assert_max_num_queries(2):  # the version, then its snapshot once
        assert client.get(BASE + name).status_code == 200
    with django_assert_max_num_queries(1):  # worked out once per version
        assert client.get(BASE + name).status_code == 200
    client.force_login(panel_member)
    with django_assert_max_num_queries(5):  # + session, user and permissions
        assert client.get(BASE + name).status_code == 200
