"""The whole journey, the way a force uses the portal: a real browser, a real Celery worker on
Redis, PostgreSQL. Screenshots of every step and the PDF's pages land in test-artifacts/journey/.
"""

import io
import re
import subprocess
import time
from datetime import datetime

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from reports.demo import DEMO_SLUG, load_demo_report
from reports.models import Publication, Report
from tests.conftest import ARTIFACTS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.services]

OUT = ARTIFACTS / "journey"
NEW_31 = (
    "The force recorded an additional 8,164 crimes compared to the previous financial year, this "
    "represents a +10% increase driven in part by an improvement in crime data integrity."
)
FIRST_TRY_31 = "The force recorded an additional 8,164 crimes compared to the previous year."
# Every figure of the reference's KPI tables (this year, last year, volume change, % change).
REFERENCE_FIGURES = [
    ("150,536", "138,893", "+11,643", "+8%"),
    ("383,000", "501,342", "-118,342", "-24%"),
    ("239,920", "251,454", "-11,534", "-5%"),
    ("92,924", "84,760", "+8,164", "+10%"),
    ("10,585", "10,806", "-221", "-2%"),
    ("3,716", "2,032", "+1,684", "+83%"),
]


def shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def admin_login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def new_figures_xlsx(path):
    """April 2019 figures for three KPIs, wide layout with a real date cell as the header."""
    wb = Workbook()
    ws = wb.active
    ws.append(["kpi_code", datetime(2019, 4, 1)])
    ws["B1"].number_format = "mmm-yy"
    for code, value in (("1.1", 12950), ("1.2", 30120), ("2.1", 19870)):
        ws.append([code, value])
    wb.save(path)


def wait_published(report, version, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pub = Publication.objects.filter(report=report, version=version).first()
        if pub and pub.render_status == Publication.RenderStatus.PUBLISHED:
            return pub
        if pub and pub.render_status == Publication.RenderStatus.FAILED:
            raise AssertionError(f"render failed: {pub.render_error}")
        time.sleep(0.5)
    raise AssertionError(f"version {version} not published within {timeout}s")


def edit_paragraph_31(page, base, report, text):
    section = report.sections.get(heading="Crime")
    page.goto(f"{base}/admin/reports/section/{section.pk}/change/")
    box = page.locator("textarea[name='paragraphs-0-text']")
    box.fill(text)
    page.click("input[name='_continue']")
    page.wait_for_load_state()


def test_force_journey(page, live_server, celery_worker, editor, reviewer, panel_member, tmp_path):
    base = live_server.url
    celery_worker.start()
    load_demo_report(editor=editor, reviewer=reviewer, out=io.StringIO())
    report = Report.objects.get(slug=DEMO_SLUG)
    wait_published(report, 1)

    # 1. The editor uploads new monthly figures through the admin's import screen.
    admin_login(page, base, editor.username)
    xlsx = tmp_path / "april-2019-figures.xlsx"
    new_figures_xlsx(xlsx)
    page.goto(f"{base}/admin/kpis/observation/import/")
    page.set_input_files("input[name='import_file']", str(xlsx))
    page.click("input[type=submit][value='Check the file']")
    page.wait_for_load_state()
    preview_text = page.inner_text("#content")
    assert re.search(r"NEW\s+CHANGED\s+UNCHANGED\s+ERRORS\s+3\s+0\s+0\s+0", preview_text), preview_text[:2000]
    shot(page, "01-import-preview")
    page.click("input[name='confirm']")
    page.wait_for_load_state()
    assert "3 new" in page.inner_text("body")
    shot(page, "02-import-confirmed")

    # 2. A new revision: edit paragraph 3.1 and submit it.
    page.goto(f"{base}/admin/reports/report/{report.pk}/change/")
    page.fill(
        "#id_change_note", "Paragraph 3.1 corrected: the whole year, and the % change as the table shows."
    )
    page.click("button:has-text('Start a new revision')")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    edit_paragraph_31(page, base, report, FIRST_TRY_31)
    page.goto(f"{base}/admin/reports/report/{report.pk}/change/")
    shot(page, "03-revision-draft")
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW

    # 3. The editor cannot approve their own work.
    page.goto(f"{base}/admin/reports/report/{report.pk}/review/")
    assert "Only reviewers can approve a report" in page.inner_text("#content")
    assert page.locator("input[value='Record decision']").count() == 0
    shot(page, "04-editor-cannot-approve")

    # The reviewer sends it back with a comment.
    admin_login(page, base, reviewer.username)
    page.goto(f"{base}/admin/reports/report/{report.pk}/review/")
    shot(page, "05-review-page")
    page.check("input[name='decision'][value='request_changes']")
    page.fill("textarea[name='comment']", "Please say it is the whole year and give the % as the table does.")
    page.click("input[value='Record decision']")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT

    # The editor fixes it and resubmits.
    admin_login(page, base, editor.username)
    edit_paragraph_31(page, base, report, NEW_31)
    page.goto(f"{base}/admin/reports/report/{report.pk}/change/")
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()

    # The reviewer approves.
    admin_login(page, base, reviewer.username)
    page.goto(f"{base}/admin/reports/report/{report.pk}/review/")
    page.check("input[name='decision'][value='approve']")
    page.fill("textarea[name='comment']", "Approved; remaining flags are the source report's own wording.")
    page.click("input[value='Record decision']")
    page.wait_for_load_state()
    shot(page, "06-approved")

    # 4. The worker renders version 2; a panel member reads and downloads it.
    v2 = wait_published(report, 2)
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next=/reports/{DEMO_SLUG}/")
    page.get_by_label("Username").fill(panel_member.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/reports/{DEMO_SLUG}/")
    body = page.inner_text("main")
    assert NEW_31.split(",")[0] in body
    assert "Paragraph 3.1 corrected" in body
    shot(page, "07-panel-member-reads-v2")

    page.goto(f"{base}/reports/{DEMO_SLUG}/v1/")
    notice = page.inner_text("main")
    assert "This is version 1, which has been replaced." in notice
    assert "Read the latest version (version 2)." in notice
    shot(page, "08-v1-superseded")

    page.goto(f"{base}/reports/{DEMO_SLUG}/v2/")
    with page.expect_download() as pdf_download:
        page.click("a[href$='/v2/report.pdf']")
    pdf_path = OUT / "report-v2.pdf"
    pdf_download.value.save_as(pdf_path)
    with page.expect_download() as csv_download:
        page.click("a[href$='/v2/data.csv']")
    csv_text = open(csv_download.value.path(), encoding="utf-8-sig").read()
    assert "150536" in csv_text.replace(",", "") and "kpi_code" in csv_text

    # 5. The PDF, parsed back.
    reader = PdfReader(str(pdf_path))
    pages = [p.extract_text() or "" for p in reader.pages]
    text = " ".join(" ".join(pages).split())
    for row in REFERENCE_FIGURES:
        for figure in row:
            assert figure in text, figure
    for number, page_text in enumerate(pages, start=1):
        assert "NOT PROTECTIVELY MARKED" in page_text, f"no marking on page {number}"
    assert "financial year, this represents a +10% increase" in text
    assert v2.pdf_sha256 and v2.pdf_pages == len(pages)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf_path), str(OUT / "pdf-page")], check=True, timeout=120
    )
