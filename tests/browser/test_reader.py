"""The reader site in a real browser: a panel member reads, explores a chart, downloads;
every reader page type is axe-core clean, works by keyboard, reflows at 320px, and the
strict CSP is never violated."""

import csv
import io

import pytest
from pypdf import PdfReader

from reports.models import Publication
from tests.conftest import login, run_axe, screenshot
from tests.reports.factories import (
    make_live_publication,
    make_publication,
    make_report,
    previous_year_snapshot,
    reference_snapshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SLUG = "force-performance-2018-19"


def _publish_with_the_real_renderer():
    """Version 1 rendered by reports.rendering (WeasyPrint PDF, frozen HTML)."""
    from reports.publishing import render_and_store

    snap = reference_snapshot()
    snap["sections"][3]["rows"][0]["analysis"] = {
        "spc": {"mean": 12500.0, "upper": 14800.0, "lower": 10200.0, "reading": "Only ordinary variation."},
        "significance": None,
    }
    publication = make_publication(report=make_report(snapshot=snap), snapshot=snap)
    render_and_store(publication)
    publication.refresh_from_db()
    assert publication.render_status == Publication.RenderStatus.PUBLISHED, publication.render_error
    return publication


def _no_axe_violations(page, name):
    violations = run_axe(page)
    screenshot(page, f"reader-{name}")
    assert violations == [], violations


def test_panel_member_reads_a_chart_and_downloads_the_pdf_and_csv(page, live_server, panel_member):
    publication = _publish_with_the_real_renderer()
    login(page, live_server, "pam", next_url=f"/reports/{SLUG}/")
    page.wait_for_url(f"{live_server.url}/reports/{SLUG}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Force Performance: End of Year 2018/19"

    # The chart drew: Chart.js holds an instance for the canvas, with both years and SPC lines.
    canvas = page.locator("canvas[data-chart-url$='/charts/1.1.json']")
    page.wait_for_selector("canvas[data-chart-drawn='true']")
    drawn = canvas.evaluate(
        """c => { const ch = Chart.getChart(c); return ch && {
              labels: ch.data.labels.length, sets: ch.data.datasets.map(d => d.label),
              painted: c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0)}; }"""
    )
    assert drawn["labels"] == 12
    assert drawn["sets"][:2] == ["2017/18", "2018/19"]
    assert "Mean" in drawn["sets"]
    assert drawn["painted"]
    # Each chart fetches its own data: wait until all six have drawn, not just the first.
    page.wait_for_function("document.querySelectorAll(\"canvas[data-chart-drawn='true']\").length === 6")
    assert page.locator("canvas.chart-canvas").count() == 6

    # The figures table beside the chart, opened by keyboard.
    summary = page.get_by_text("Show the figures for 1.1 Number of 999 Calls")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="1.1 Number of 999 Calls by month")
    assert table.is_visible()
    row = table.get_by_role("row").nth(1)
    expected = publication.snapshot["sections"][3]["rows"][0]["trend"]
    assert row.get_by_role("rowheader").inner_text() == "Apr"
    assert row.get_by_role("cell").first.inner_text() == f"{int(expected['previous']['values'][0]):,}"
    _no_axe_violations(page, "report")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the report (PDF").click()
    download = pdf_download.value
    assert download.suggested_filename == "force-performance-2018-19-v1.pdf"
    pdf = PdfReader(download.path())
    assert len(pdf.pages) >= 1

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    assert csv_download.value.suggested_filename == "force-performance-2018-19-v1-data.csv"
    rows = list(csv.DictReader(io.StringIO(open(csv_download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == len(publication.snapshot["figures"])
    assert rows[0]["kpi_code"] == "1.1"
    assert page.csp_errors == []


def test_every_reader_page_type_is_axe_clean_without_csp_errors(page, live_server, panel_member):
    v1 = make_live_publication()
    make_live_publication(report=v1.report, version=2, change_note="Corrected the 101 calls figure.")
    earlier = previous_year_snapshot()
    make_live_publication(report=make_report(snapshot=earlier), snapshot=earlier)

    page.goto(live_server.url + "/")
    _no_axe_violations(page, "home")
    page.goto(live_server.url + "/?q=no+such+words&year=2018")
    _no_axe_violations(page, "home-no-results")
    page.goto(live_server.url + "/accessibility/")
    assert page.get_by_role("heading", name="Accessibility statement").is_visible()
    _no_axe_violations(page, "accessibility-statement")

    page.goto(f"{live_server.url}/reports/{SLUG}/")
    page.wait_for_selector("canvas[data-chart-drawn='true']")
    _no_axe_violations(page, "report-public")

    page.goto(f"{live_server.url}/reports/{SLUG}/v1/")  # anonymous: version history needs sign-in
    page.wait_for_url("**/accounts/login/**")
    _no_axe_violations(page, "login")

    login(page, live_server, "pam", next_url=f"/reports/{SLUG}/v1/")
    page.wait_for_url(f"{live_server.url}/reports/{SLUG}/v1/")
    assert page.get_by_text("This is version 1, which has been replaced.").is_visible()
    _no_axe_violations(page, "version-superseded")

    # The glossary appendix, reached from a glossary term in paragraph 1.1.
    page.goto(f"{live_server.url}/reports/{SLUG}/v2/")
    page.locator("#para-1-1 a[href='#term-contact-management-department']").click()
    assert page.evaluate("location.hash") == "#term-contact-management-department"
    assert page.locator("#term-contact-management-department").is_visible()
    _no_axe_violations(page, "glossary")

    page.goto(f"{live_server.url}/reports/{SLUG}/v2/changes/")
    assert page.get_by_role("heading", name="What changed in version 2").is_visible()
    _no_axe_violations(page, "version-changes")

    page.goto(f"{live_server.url}/reports/{SLUG}/v2/")
    page.get_by_role("link", name="See what changed from the previous period's report").click()
    page.wait_for_url(f"{live_server.url}/reports/{SLUG}/v2/changes/previous-period/")
    assert page.get_by_role("heading", name="Against the previous period's report").is_visible()
    _no_axe_violations(page, "previous-period-changes")

    page.goto(f"{live_server.url}/reports/{SLUG}/v2/feedback/")
    _no_axe_violations(page, "feedback")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("alert").is_visible()
    # Focus moves to the error summary; its link takes the member to the field.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'feedback-errors'")
    page.get_by_role("link", name="Enter your comment or question.").click()
    assert page.evaluate("document.activeElement.id") == "id_text"
    _no_axe_violations(page, "feedback-errors")
    page.keyboard.type("Why did 101 calls fall?")
    page.get_by_label("What is it about?").select_option("Paragraph 1.3")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/reports/{SLUG}/v2/#your-feedback")
    assert page.get_by_text("Why did 101 calls fall?").is_visible()
    _no_axe_violations(page, "report-with-feedback")
    assert page.csp_errors == []


def test_withdrawn_version_notice_is_accessible(page, live_server):
    from django.utils import timezone

    publication = make_live_publication()
    Publication.objects.filter(pk=publication.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="The 101 figures were wrong."
    )
    page.goto(f"{live_server.url}/reports/{SLUG}/")
    assert page.get_by_text("The 101 figures were wrong.").is_visible()
    assert page.locator("canvas").count() == 0
    _no_axe_violations(page, "withdrawn")


def test_report_reflows_at_320px_and_prints_without_charts(page, live_server):
    snap = reference_snapshot()
    # A significance marker carries visually-hidden text inside the scrolling KPI table:
    # it must not widen the page.
    for section in snap["sections"]:
        for row in section["rows"]:
            row["analysis"] = {
                "spc": None,
                "significance": {"significant": True, "explanation": "Larger than chance."},
            }
    make_live_publication(snapshot=snap)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/reports/{SLUG}/")
    page.wait_for_selector("canvas[data-chart-drawn='true']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "reader-report-320")
    # 200% zoom of a 1280px window is a 640px layout: still no sideways scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    page.emulate_media(media="print")
    assert page.locator(".chart__canvas").first.is_hidden()
    assert page.locator(".chart__table").first.is_visible()  # figures print in full
    assert page.locator(".downloads").is_hidden()


def test_keyboard_reaches_contents_charts_tables_and_downloads(page, live_server):
    make_live_publication()
    page.goto(f"{live_server.url}/reports/{SLUG}/")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("(document.activeElement.textContent || '').trim().slice(0, 60)"))
    joined = " | ".join(seen)
    assert "Skip to main content" in joined
    assert "Download the report (PDF" in joined
    assert "1. Calls" in joined
    assert any(s.startswith("Show the figures") for s in seen)
