"""A report with no data does not sail through: every page says which KPI rows lack figures,
and submitting or approving with empty rows needs a confirmation and a reason, recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis.models import Kpi, Observation
from reports import coverage, workflow
from reports.models import KpiRow, Paragraph, Report, Review
from reports.snapshot import build_snapshot, content_checksum
from tests.admin_forms import form_fields

from .builders import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(editor):
    """The small reference report plus a KPI row with no figures at all and one half-filled."""
    report = make_report(by=editor)
    section = report.sections.get(heading="Calls")
    empty = Kpi.objects.create(code="7.1", name="Hate crime", category="Crime")
    KpiRow.objects.create(section=section, kpi=empty, position=8)
    half = Kpi.objects.create(code="7.2", name="Knife crime", category="Crime")
    KpiRow.objects.create(section=section, kpi=half, position=9)
    calls = Observation.objects.filter(kpi__code="1.1", period_start__year=2018)
    Observation.objects.bulk_create(
        Observation(
            kpi=half,
            organisation=o.organisation,
            period_start=o.period_start,
            period_end=o.period_end,
            value=5,
        )
        for o in calls
    )
    return report


def test_coverage_says_full_partial_or_none_for_each_row(report):
    rows = {row.code: row for row in coverage.coverage(build_snapshot(report))}
    assert rows["1.1"].status == coverage.FULL
    assert rows["7.2"].status == coverage.PARTIAL
    assert "2018/19 is incomplete: 3 of 12 months have no figure" in rows["7.2"].detail
    assert rows["7.1"].status == coverage.NONE
    assert rows["7.1"].detail == "No figures for 2018/19 or 2017/18 yet."
    assert [r.code for r in coverage.empty_rows(build_snapshot(report))] == ["7.1"]


def test_submitting_with_an_empty_row_needs_a_confirmation_and_a_reason(report, editor):
    with pytest.raises(
        ValidationError, match=r"1 of the report's KPI rows has no figures for 2018/19 \(7.1 Hate"
    ):
        workflow.report_submit(report=report, by=editor)
    with pytest.raises(ValidationError, match="Say in the comment why"):
        workflow.report_submit(report=report, by=editor, confirm_empty_rows=True)
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
    workflow.report_submit(
        report=report, by=editor, comment="Hate crime figures come next month.", confirm_empty_rows=True
    )
    review = Review.objects.filter(report=report, action=Review.Action.SUBMIT).get()
    assert review.comment == (
        "Hate crime figures come next month. Goes ahead with 1 KPI row without figures: 7.1 Hate crime."
    )


def test_approving_with_an_empty_row_needs_the_box_ticked_and_a_comment(client, report, editor, reviewer):
    workflow.report_submit(report=report, by=editor, comment="Known gap.", confirm_empty_rows=True)
    url = reverse("admin:reports_report_review", args=[report.pk])
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "1 KPI row has no figures at all for this report's periods" in page
    assert "Figures for this report's KPI rows" in page and "No figures" in page
    checksum = content_checksum(build_snapshot(report))
    refused = client.post(url, {"decision": "approve", "comment": "Fine.", "checksum": checksum})
    assert "tick “Publish with empty rows”" in refused.content.decode()
    assert Report.objects.get(pk=report.pk).status == Report.Status.IN_REVIEW
    client.post(
        url,
        {"decision": "approve", "comment": "Panel agreed.", "checksum": checksum, "confirm_empty_rows": "on"},
    )
    assert Report.objects.get(pk=report.pk).status != Report.Status.IN_REVIEW
    approval = Review.objects.get(report=report, action=Review.Action.APPROVE)
    assert approval.comment.endswith("Goes ahead with 1 KPI row without figures: 7.1 Hate crime.")


def test_the_report_form_shows_coverage_and_saving_warns(client, report, editor):
    client.force_login(editor)
    url = reverse("admin:reports_report_change", args=[report.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "Figures for this report's KPI rows" in html
    assert "Submit with empty rows, and say why in the note" in html
    saved = client.post(url, form_fields(page), follow=True).content.decode()
    assert (
        "In this report, 2 KPI rows lack figures." in saved
        and "7.1 Hate crime: No figures for 2018/19 or 2017/18 yet; 7.2 Knife crime:" in saved
        and ".;" not in saved
    )
    KpiRow.objects.filter(kpi__code="7.2").delete()
    saved = client.post(url, form_fields(client.get(url)), follow=True).content.decode()
    one = "In this report, 1 KPI row lacks figures. 7.1 Hate crime: No figures for 2018/19 or 2017/18 yet."
    assert one in saved


def test_the_preview_counts_every_figure_and_names_empty_rows(client, report, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:reports_report_preview", args=[report.pk])).content.decode()
    assert "no figure disagrees with the data" not in html
    assert "Commentary checker (staff only): 1 figure: 1 agrees with the data, 0 disagree" in html
    assert "1 KPI row has no figures for this report's periods:</strong> 7.1 Hate crime" in html
    assert "This is how the next version will look when it is approved." in html


def test_the_review_page_counts_questioned_figures_in_plain_english(client, report, editor, reviewer):
    section = report.sections.get(heading="Calls")
    Paragraph.objects.create(section=section, position=10, text="999 calls fell by 40%.")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    client.force_login(reviewer)
    html = client.get(reverse("admin:reports_report_review", args=[report.pk])).content.decode()
    assert "1 figure in the commentary disagrees with the data, refers to a period the report" in html
    assert "or raises a question. Approving needs a comment saying why it stands." in html
    assert "figure(s)" not in html
