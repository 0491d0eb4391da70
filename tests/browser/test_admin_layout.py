"""The report and section pages lay out without overlaps at desktop and small laptop widths,
and the draft PDF comes in one click."""

import pytest

from reports.models import Report
from tests.conftest import login, run_axe, screenshot
from tests.reports import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTS = ["#content h1", "#content h2", ".report-status-line", ".object-tools", ".workflow-panel"]
BOXES = """parts => parts.flatMap(selector => [...document.querySelectorAll(selector)].slice(0, 1).map(e => {
    const r = e.getBoundingClientRect();
    return {selector, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
}))"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"]
            if not (apart or b["bottom"] <= a["top"]):
                found.append((a["selector"], b["selector"]))
    return found


@pytest.mark.parametrize("width", [1280, 1024])
@pytest.mark.parametrize("status", [Report.Status.DRAFT, Report.Status.PUBLISHED])
def test_the_report_page_heading_status_tools_and_workflow_do_not_overlap(
    page, live_server, editor, width, status
):
    report = builders.make_report(by=editor)
    Report.objects.filter(pk=report.pk).update(status=status)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, editor.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    boxes = page.evaluate(BOXES, PARTS)
    assert {b["selector"] for b in boxes} >= {
        "#content h1",
        ".report-status-line",
        ".object-tools",
        ".workflow-panel",
    }
    assert overlaps(boxes) == []
    assert run_axe(page) == []
    screenshot(page, f"admin-report-{status}-{width}")

    section = report.sections.get(heading="Calls")
    page.goto(f"{live_server.url}/admin/reports/section/{section.pk}/change/")
    assert overlaps(page.evaluate(BOXES, PARTS)) == []


def test_the_draft_pdf_comes_in_one_click(page, live_server, editor):
    report = builders.make_report(by=editor)
    login(page, live_server, editor.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Draft PDF").click()
    assert download.value.suggested_filename.startswith(f"{report.slug}-DRAFT-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
