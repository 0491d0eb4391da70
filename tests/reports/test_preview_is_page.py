"""The preview is the page: the same charts (with the SPC lines the caption describes), the
same dates and wording; and a KPI row without figures says so once and draws no chart, on
the web and in the PDF."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kpis.models import Kpi
from reports import workflow
from reports.models import KpiRow, Report
from reports.rendering import build_context, html_to_pdf, render_pdf_html, render_web_html
from reports.snapshot import build_snapshot

from .builders import make_report

EMPTY = "No figures for 2018/19 or 2017/18 yet."


def meeting(html: str) -> list[str]:
    return re.findall(r"Panel meeting</dt><dd><time[^>]*>([^<]+)</time>", html)


@pytest.mark.django_db
def test_preview_and_published_page_draw_the_same_charts_and_dates(
    client, editor, reviewer, django_capture_on_commit_callbacks
):
    report = make_report(by=editor)
    Report.objects.filter(pk=report.pk).update(meeting_date=date(2019, 6, 14))
    client.force_login(editor)
    preview = client.get(reverse("admin:reports_report_preview", args=[report.pk])).content.decode()
    preview_chart = client.get(reverse("admin:reports_report_preview_chart", args=[report.pk, "1.1"])).json()

    workflow.report_submit(report=report, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_approve(report=report, by=reviewer, comment="ok")  # rendered in-process
    published = client.get(f"/reports/{report.slug}/v1/").content.decode()
    published_chart = client.get(f"/reports/{report.slug}/v1/charts/1.1.json").json()

    assert meeting(preview) == meeting(published) == ["14 June 2019"]
    labels = [d["label"] for d in preview_chart["data"]["datasets"]]
    assert len(labels) > 2, f"the preview's chart has no mean or process-limit lines: {labels}"
    assert preview_chart["data"] == published_chart["data"]


@pytest.mark.django_db
def test_a_row_without_figures_says_so_once_and_draws_no_chart(editor):
    report = make_report(by=editor)
    kpi = Kpi.objects.create(code="7.1", name="Hate crime", category="Crime")
    KpiRow.objects.create(section=report.sections.get(heading="Calls"), kpi=kpi, position=5, show_chart=True)
    context = build_context(build_snapshot(report))
    row = next(r for s in context["sections"] for r in s["rows"] if r["kpi"]["code"] == "7.1")
    assert row["empty"] and row["chart_image"] == ""
    calls = next(r for s in context["sections"] for r in s["rows"] if r["kpi"]["code"] == "1.1")
    assert not calls["empty"] and calls["chart_image"]

    web = render_web_html(context)
    assert f'id="{row["anchor"]}-trend"' not in web
    assert f'id="{calls["anchor"]}-trend"' in web
    assert web.count(EMPTY) == 1

    pdf, _ = html_to_pdf(render_pdf_html(context), identifier="empty-row-test")
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    assert text.count(EMPTY) == 1
    assert "Trend chart for 7.1" not in text and "0 0 0" not in text
