"""The demo's preview, as an editor sees it, against its published page, as a reader sees
it: the same words in the same order and the same lines on every chart."""

import io
import re

import pytest

from reports.demo import DEMO_SLUG, load_demo_report
from reports.models import Report
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART_LINES = """() => [...document.querySelectorAll('canvas.chart-canvas')].map(
    c => (Chart.getChart(c)?.data.datasets || []).map(d => d.label).join(' | '))"""
# What only the draft says: its banner, and the version line (draft against 1).
DRAFT_ONLY = re.compile(r"^DRAFT: not published\..*$|^Version\n.*$", re.M)


def article_text(page) -> str:
    return DRAFT_ONLY.sub("", page.inner_text("article.report")).strip()


def charts_drawn(page) -> list[str]:
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.chart-canvas')].every(c => Chart.getChart(c))"
    )
    return page.evaluate(CHART_LINES)


def test_the_demo_preview_reads_and_draws_as_its_published_page(page, live_server, editor, reviewer):
    load_demo_report(editor=editor, reviewer=reviewer, out=io.StringIO())
    report = Report.objects.get(slug=DEMO_SLUG)
    login(page, live_server, editor.username, next_url="/admin/")

    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/preview/")
    preview_text, preview_charts = article_text(page), charts_drawn(page)
    screenshot(page, "preview-of-demo")
    page.goto(f"{live_server.url}/reports/{DEMO_SLUG}/v1/")
    published_text, published_charts = article_text(page), charts_drawn(page)
    screenshot(page, "published-demo")

    assert preview_text == published_text
    assert len(preview_charts) >= 6 and preview_charts == published_charts
    assert all("Mean | Upper process limit" in lines for lines in preview_charts), preview_charts
