"""The reader pages: served from the frozen publication, with notices, history and charts."""

import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from reports import reader_cache
from reports.models import Feedback, Publication
from tests.reports.factories import (
    kpi_row,
    make_live_publication,
    make_report,
    paragraph,
    reference_snapshot,
)

pytestmark = pytest.mark.django_db
SLUG = "force-performance-2018-19"


class _Page(HTMLParser):
    """Ids, in-page links, inline scripts/styles and event handlers of an HTML page."""

    def __init__(self):
        super().__init__()
        self.ids, self.fragments, self.inline = [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        href = attrs.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            self.fragments.append(href[1:])
        if tag == "script" and "src" not in attrs:
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{tag}[{name}]")


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _store_html(publication, html: str):
    data = html.encode()
    name = default_storage.save(f"test/{publication.pk}.html", ContentFile(data))
    Publication.objects.filter(pk=publication.pk).update(
        html_file=name, html_sha256=hashlib.sha256(data).hexdigest()
    )


# --------------------------------------------------------------------------- frozen
def test_page_is_the_stored_body_wrapped_in_the_site_chrome(client):
    publication = make_live_publication()
    _store_html(publication, '<article class="report"><h1>Stored body FROZEN-7</h1></article>')
    response = client.get(f"/reports/{SLUG}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Stored body FROZEN-7" in page
    assert page.count("NOT PROTECTIVELY MARKED") == 2  # top and bottom
    assert "Published reports" in page  # the site chrome


def test_later_changes_to_the_snapshot_or_live_data_never_change_the_page(client):
    publication = make_live_publication()
    before = client.get(f"/reports/{SLUG}/v1/").content.decode()
    snap = publication.snapshot
    snap["sections"][3]["paragraphs"][0]["html"] = "<p>Rewritten after publication</p>"
    Publication.objects.filter(pk=publication.pk).update(snapshot=snap)
    reader_cache.reader_cache().clear()  # as after a restart of every server: read from storage again
    after = client.get(f"/reports/{SLUG}/v1/").content.decode()
    assert "Rewritten after publication" not in after
    assert after == before


def test_stored_body_is_read_once_then_served_from_memory(client, monkeypatch):
    publication = make_live_publication()
    opened = []
    real_open = default_storage.open
    monkeypatch.setattr(default_storage, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    for _ in range(3):
        assert client.get(f"/reports/{SLUG}/").status_code == 200
    assert opened == [publication.html_file]


def test_missing_stored_body_falls_back_to_the_snapshot(client, caplog):
    publication = make_live_publication()
    default_storage.delete(publication.html_file)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "The Contact Management Department" in page
    assert "missing from storage" in caplog.text


def test_tampered_stored_body_is_not_served(client, caplog):
    publication = make_live_publication()
    with default_storage.open(publication.html_file, "wb") as fh:
        fh.write(b"<p>INJECTED</p>")
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "INJECTED" not in page
    assert "The Contact Management Department" in page
    assert "does not match its checksum" in caplog.text


def test_unrendered_version_is_rendered_from_its_snapshot(client):
    make_live_publication(html=False)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Contents" in page and "Appendix B: Glossary" in page


# --------------------------------------------------------------------------- content
def test_page_has_cover_contents_sections_tables_charts_paragraphs_and_glossary(client):
    make_live_publication()
    page = client.get(f"/reports/{SLUG}/").content.decode()
    parsed = parse(page)
    for text in (
        "Force Performance: End of Year 2018/19",
        "April 2018 – March 2019",
        "Contents",
        "1. Calls",
        "5. Prevention",
        "Performance 18/19",
        "150,536",
        "+11,643",
        "+8%",
        "Show the figures",
        "Person to contact",
        "Elizabeth Starr",
        "Monthly figures in the charts are illustrative.",
    ):
        assert text in page, text
    assert page.count("<canvas") == 6  # one per KPI row with show_chart
    assert 'data-chart-url="/reports/force-performance-2018-19/v1/charts/1.1.json"' in page
    for anchor in ("para-1-1", "para-5-4", "kpi-1-1", "term-contact-management-department", "contact"):
        assert anchor in parsed.ids
    # The glossary term in paragraph 1.1 links to its entry in the appendix.
    assert 'href="#term-contact-management-department"' in page
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    assert set(parsed.fragments) <= set(parsed.ids), set(parsed.fragments) - set(parsed.ids)


def test_each_chart_has_a_name_and_a_table_of_the_same_figures(client):
    make_live_publication()
    page = client.get(f"/reports/{SLUG}/").content.decode()
    canvases = re.findall(r"<canvas[^>]*>", page)
    assert all('role="img"' in c and "aria-label=" in c for c in canvases)
    table = page.split('id="kpi-1-1-figures"')[1].split("</table>")[0]
    row = kpi_row("1.1", "Number of 999 Calls", "Calls", 150536, 138893)
    apr_prev = f"{int(row['trend']['previous']['values'][0]):,}"
    apr_curr = f"{int(row['trend']['current']['values'][0]):,}"
    cells = rf"Apr</th>\s*<td class=\"num\">{apr_prev}</td>\s*<td class=\"num\">{apr_curr}</td>"
    assert re.search(cells, table)


def test_no_inline_scripts_styles_or_handlers_on_reader_pages(client, panel_member):
    make_live_publication()
    client.force_login(panel_member)
    for url in (f"/reports/{SLUG}/", f"/reports/{SLUG}/v1/", f"/reports/{SLUG}/v1/feedback/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert parse(response.content.decode()).inline == [], url
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_hostile_text_in_the_snapshot_is_escaped(client):
    snap = reference_snapshot()
    snap["report"]["title"] = '<script>alert("t")</script> Report'
    snap["report"]["data_note"] = "<img src=x onerror=alert(1)>"
    snap["sections"][3]["rows"][0]["kpi"]["name"] = '"><script>alert(2)</script>'
    make_live_publication(snapshot=snap)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; Report" in page


def test_draft_body_has_a_banner_and_no_published_chart_urls():
    html = render_to_string("reports/web/body.html", {"snapshot": reference_snapshot(), "draft": True})
    assert "DRAFT" in html
    assert "data-chart-url" not in html
    assert "figures are in the table below" in html


def test_marking_is_shown_top_and_bottom_and_sensitive_marking_stands_out(client, panel_member):
    snap = reference_snapshot(marking="OFFICIAL-SENSITIVE")
    report = make_report(snapshot=snap, marking="OFFICIAL-SENSITIVE")
    make_live_publication(report=report, snapshot=snap)
    client.force_login(panel_member)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert page.count('class="marking marking--sensitive"') == 1
    assert page.count('class="marking marking--bottom marking--sensitive"') == 1
    response = client.get(f"/reports/{SLUG}/")
    assert "no-store" in response["Cache-Control"]


# --------------------------------------------------------------------------- versions
def _two_versions():
    v1 = make_live_publication()
    v2 = make_live_publication(report=v1.report, version=2, change_note="Corrected the 101 calls figure.")
    return v1, v2


def test_latest_address_shows_the_newest_version(client):
    _two_versions()
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "/reports/force-performance-2018-19/v2/report.pdf" in page
    assert "superseded-notice" not in page


def test_superseded_version_says_so_and_links_to_the_latest(client, panel_member):
    _two_versions()
    client.force_login(panel_member)
    page = client.get(f"/reports/{SLUG}/v1/").content.decode()
    assert "This is version 1, which has been replaced." in page
    assert f'href="/reports/{SLUG}/">Read the latest version (version 2)' in page


def test_members_see_the_version_history_with_change_notes(client, panel_member):
    _two_versions()
    client.force_login(panel_member)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Versions of this report" in page
    assert "Corrected the 101 calls figure." in page
    assert f'href="/reports/{SLUG}/v1/"' in page


def test_the_public_sees_no_version_history(client):
    _two_versions()
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Versions of this report" not in page
    assert "Corrected the 101 calls figure." not in page


def test_unknown_version_is_a_404_for_members(client, panel_member):
    make_live_publication()
    client.force_login(panel_member)
    assert client.get(f"/reports/{SLUG}/v9/").status_code == 404
    assert client.post(f"/reports/{SLUG}/").status_code == 405


# --------------------------------------------------------------------------- queries
def _big_report(versions: int, extra_rows: int):
    snap = reference_snapshot()
    section = snap["sections"][3]
    for n in range(extra_rows):
        section["rows"].append(kpi_row(f"9.{n}", f"Extra KPI {n}", "Crime", 1000 + n, 900 + n))
        section["paragraphs"].append(paragraph(f"1.{10 + n}", f"Extra paragraph {n}."))
    first = make_live_publication(snapshot=snap)
    for version in range(2, versions + 1):
        make_live_publication(report=first.report, snapshot=snap, version=version, change_note=f"v{version}")
    return first


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["anonymous", "panel_member"])
def test_queries_per_page_do_not_grow_with_kpis_or_versions(
    client, who, request, django_assert_max_num_queries
):
    if who != "anonymous":
        user = request.getfixturevalue(who)
        client.force_login(user)
    small = _big_report(versions=1, extra_rows=0)
    Feedback.objects.create(publication=small, author=request.getfixturevalue("make_user")("x"), text="hi")
    small_count = _count(client, f"/reports/{SLUG}/")
    Publication.objects.all().delete()
    _big_report_slug = "big"
    snap = reference_snapshot()
    report = make_report(snapshot=snap, slug=_big_report_slug)
    for n in range(40):
        snap["sections"][4]["rows"].append(kpi_row(f"8.{n}", f"KPI {n}", "Crime", 100 + n, 90 + n))
    for version in range(1, 8):
        make_live_publication(report=report, snapshot=snap, version=version, change_note=f"v{version}")
    big_url = f"/reports/{_big_report_slug}/" + ("" if who == "anonymous" else "v3/")
    big_count = _count(client, big_url)
    assert big_count == small_count
    # Members: + history, + the previous period's report, + whether they have since set up
    # two-factor authentication (portal.two_factor).
    limit = 2 if who == "anonymous" else 10
    with django_assert_max_num_queries(limit):
        client.get(f"/reports/{_big_report_slug}/")
    with django_assert_max_num_queries(limit):
        client.get(f"/reports/{_big_report_slug}/v1/")


def test_home_queries_do_not_grow_with_reports(client, django_assert_max_num_queries):
    for n in range(6):
        make_live_publication(report=make_report(snapshot=reference_snapshot(), slug=f"report-{n}"))
    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.content.decode().count('class="report-card"') == 6


# --------------------------------------------------------------------------- charts
def test_chart_json_comes_from_the_frozen_trend(client):
    publication = make_live_publication()
    response = client.get(f"/reports/{SLUG}/v1/charts/1.2.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    chart = json.loads(response.content)
    assert set(chart) == {"data", "options", "meta"}  # no "view" key from django-chartjs
    trend = next(r for s in publication.snapshot["sections"] for r in s["rows"] if r["kpi"]["code"] == "1.2")[
        "trend"
    ]
    assert chart["data"]["labels"] == trend["labels"]
    drawn = [d["data"] for d in chart["data"]["datasets"]]
    assert drawn == [trend["previous"]["values"], trend["current"]["values"]]
    assert "public" in response["Cache-Control"]


def test_chart_draws_spc_mean_and_limits_when_the_row_has_them(client):
    snap = reference_snapshot()
    snap["sections"][3]["rows"][0]["analysis"] = {
        "spc": {"mean": 12000.5, "upper": 14000, "lower": 10000, "reading": "Ordinary variation."},
        "significance": None,
    }
    make_live_publication(snapshot=snap)
    chart = json.loads(client.get(f"/reports/{SLUG}/v1/charts/1.1.json").content)
    extra = {d["label"]: d for d in chart["data"]["datasets"][2:]}
    assert set(extra) == {"Mean", "Upper process limit", "Lower process limit"}
    assert extra["Mean"]["data"] == [12000.5] * 12
    assert extra["Upper process limit"]["borderWidth"] == 1
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Ordinary variation." in page and "12,000.5" not in page


def test_chart_of_an_unknown_kpi_is_a_404(client):
    make_live_publication()
    assert client.get(f"/reports/{SLUG}/v1/charts/99.9.json").status_code == 404
    assert client.get(f"/reports/{SLUG}/v1/charts/..%2F1.1.json").status_code == 404


# --------------------------------------------------------------------------- home
def test_home_search_matches_every_word_in_title_or_commentary(client):
    make_live_publication(search_text="Knife crime rose. Stop and search increased.")
    other = reference_snapshot()
    other["report"]["title"] = "Quarter 3 update"
    q3 = make_report(snapshot=other, slug="q3")
    make_live_publication(report=q3, snapshot=other, search_text="Burglary")
    assert "q3" not in client.get("/?q=knife+search").content.decode()
    assert SLUG in client.get("/?q=knife+search").content.decode()
    assert SLUG not in client.get("/?q=knife+burglary").content.decode()
    assert "/reports/q3/" in client.get("/?q=QUARTER").content.decode()
    page = client.get("/?q=nothing-like-this").content.decode()
    assert "No reports match" in page


def test_home_search_does_not_look_inside_withdrawn_content(client, editor):
    """A withdrawn version's content is for staff only, so a search must not say whether
    a word is in it: the listing would answer what the page refuses to show."""
    from django.utils import timezone

    make_live_publication(
        search_text="The unredacted name Smithson.", withdrawn_at=timezone.now(), withdrawn_reason="Error."
    )
    assert SLUG in client.get("/").content.decode()  # its notice is still listed
    assert SLUG not in client.get("/?q=smithson").content.decode()
    assert SLUG in client.get("/?q=performance").content.decode()  # the title still matches
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    assert SLUG in client.get("/?q=smithson").content.decode()


def test_home_year_filter_and_bad_input(client):
    make_live_publication()
    assert SLUG in client.get("/?year=2018").content.decode()
    assert SLUG not in client.get("/?year=2017").content.decode()
    for bad in ("abc", "-1", "99999999999999999999", "2018'--", ""):
        response = client.get("/", {"year": bad, "q": "x" * 5000})
        assert response.status_code == 200


# --------------------------------------------------------------------------- page cache
def test_anonymous_readers_get_the_page_from_memory(client, django_assert_num_queries):
    make_live_publication()
    first = client.get(f"/reports/{SLUG}/")
    with django_assert_num_queries(0):  # the version's state is fresh (STATE_TTL)
        again = client.get(f"/reports/{SLUG}/")
    assert again.content == first.content
    assert "Cookie" in again["Vary"] and "private" in again["Cache-Control"]
    reader_cache.forget_version_states(SLUG)
    with django_assert_num_queries(1):  # one light query for the state, then memory
        assert client.get(f"/reports/{SLUG}/").content == first.content


def test_the_remembered_page_goes_gzipped_to_browsers_that_accept_it(client, panel_member):
    import gzip

    make_live_publication()
    first = client.get(f"/reports/{SLUG}/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in first  # rendered for this request, sent as it is
    assert "Accept-Encoding" in first["Vary"]
    zipped = client.get(f"/reports/{SLUG}/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and "Cookie" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == first.content
    assert len(zipped.content) < len(first.content) / 3
    plain = client.get(f"/reports/{SLUG}/", HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain and plain.content == first.content
    # A signed-in member's page (it holds a CSRF token and their own feedback) never is.
    client.force_login(panel_member)
    member = client.get(f"/reports/{SLUG}/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in member and b"Signed in as pam" in member.content


def test_a_withdrawal_reaches_anonymous_readers_once_the_state_ttl_has_passed(client, monkeypatch):
    import time

    monkeypatch.setattr(reader_cache, "STATE_TTL", 0.2)
    publication = make_live_publication()
    client.get(f"/reports/{SLUG}/")
    Publication.objects.filter(pk=publication.pk).update(
        withdrawn_at=publication.published_at, withdrawn_reason="X"
    )
    time.sleep(0.25)
    assert "withdrawn-notice" in client.get(f"/reports/{SLUG}/").content.decode()


def test_the_remembered_page_never_outlives_a_withdrawal_or_a_tighter_audience(client, monkeypatch):
    monkeypatch.setattr(reader_cache, "STATE_TTL", 0)
    publication = make_live_publication()
    client.get(f"/reports/{SLUG}/")
    Publication.objects.filter(pk=publication.pk).update(
        withdrawn_at=publication.published_at, withdrawn_reason="X"
    )
    assert "withdrawn-notice" in client.get(f"/reports/{SLUG}/").content.decode()
    Publication.objects.filter(pk=publication.pk).update(withdrawn_at=None)
    assert "withdrawn-notice" not in client.get(f"/reports/{SLUG}/").content.decode()
    publication.report.__class__.objects.filter(pk=publication.report_id).update(audience="panel")
    assert client.get(f"/reports/{SLUG}/").status_code == 302


def remembered_pages(monkeypatch) -> list[bytes]:
    """The pages the reader site remembers from now on, in order."""
    kept = []
    remember = reader_cache.remember_page
    monkeypatch.setattr(
        reader_cache, "remember_page", lambda key, content: kept.append(content) or remember(key, content)
    )
    return kept


def test_signed_in_readers_and_query_strings_never_share_the_remembered_page(
    client, panel_member, monkeypatch
):
    make_live_publication()
    kept = remembered_pages(monkeypatch)
    client.get(f"/reports/{SLUG}/")
    assert "Signed in as" not in client.get(f"/reports/{SLUG}/?utm=x").content.decode()
    assert len(kept) == 1
    client.force_login(panel_member)
    assert "Signed in as pam" in client.get(f"/reports/{SLUG}/").content.decode()
    assert len(kept) == 1


@pytest.mark.django_db
def test_a_page_that_used_a_csrf_token_is_never_shared_between_anonymous_readers(client, monkeypatch):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from reports import views

    publication = make_live_publication()
    url = f"/reports/{publication.report.slug}/"

    rendered = []

    def page_with_a_form(request, slug, version):
        rendered.append(request)
        return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")

    monkeypatch.setattr(views, "_render_report_page", page_with_a_form)
    assert client.get(url).status_code == 200
    client.cookies.clear()  # a second anonymous reader, with no cookie
    assert client.get(url).status_code == 200
    assert len(rendered) == 2  # rendered for each reader, never served from the shared cache
