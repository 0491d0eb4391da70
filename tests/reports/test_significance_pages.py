"""The significance test where people read it: the reviewer's page, the web page, the PDF's notes."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Kpi, Observation, Organisation
from kpis.periods import Period
from reports import rendering, workflow
from reports.significance_display import ABOUT_SIGNIFICANCE, TITLE, TITLE_NONE_TESTED, TITLE_SCHEMA_1
from reports.snapshot import build_snapshot

from .builders import make_report
from .factories import reference_snapshot

# Seasonal 999 calls, +5% a year: within the usual variation, though the XmR chart sees
# seven months falling in a row.
SEASONAL = {
    2017: [1000, 1150, 1200, 1180, 1050, 950, 900, 820, 800, 850, 950, 1150],
    2018: [1060, 1210, 1250, 1230, 1100, 990, 950, 870, 840, 900, 1000, 1200],
}


def seasonal_report(editor):
    org = Organisation.home()
    calls = Kpi.objects.create(code="1.1", name="Number of 999 Calls", category="Calls")
    for year, values in SEASONAL.items():
        for month, value in zip(Period.financial_year(year).months(), values, strict=True):
            Observation.objects.create(
                kpi=calls,
                organisation=org,
                period_start=month,
                period_end=Period.month(month.year, month.month).end,
                value=Decimal(value),
            )
    report = make_report(by=editor)
    paragraph = report.sections.get(heading="Calls").paragraphs.first()
    paragraph.text = "999 calls rose by 600 (+5%), a significant increase."
    paragraph.save()
    return report


@pytest.mark.django_db
def test_the_reviewer_sees_the_dispersion_the_disagreement_with_spc_and_the_claim(
    client, editor, reviewer, monkeypatch
):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = seasonal_report(editor)
    workflow.report_submit(report=report, by=editor)
    client.force_login(reviewer)
    page = html.unescape(
        client.get(reverse("admin:reports_report_review", args=[report.pk])).content.decode()
    )

    table = page[page.index("Is each change bigger than the usual variation?") :]
    table = table[: table.index("</table>")]
    assert "A rise of 5% (95% interval -7% to +18%): within the usual month-to-month variation" in table
    assert "Quasi-Poisson, p = 0.41. Dispersion 20.76: the months vary 20.76 times as much" in table
    # The chart and the test disagree: one sentence says so, not two verdicts side by side.
    assert (
        "The XmR chart and the test disagree: the chart reads “Special cause: 7 months falling in a row"
        in table
    )
    # All Crime rises evenly through the year: the test and the chart agree.
    agree = "They agree. The chart reads: Special cause (concern): 12 months above the upper process limit"
    assert agree in table

    # The commentary calls the 999 rise significant: the checker flags the disagreement.
    checker = page[page.index("Commentary checker") : page.index("Figures this version will publish")]
    assert "significant increase" in checker
    assert (
        "The text calls this change significant, but the significance test finds it within the usual"
        in checker
    )


@pytest.mark.django_db
def test_the_web_page_explains_the_method_and_marks_each_change(editor):
    snapshot = build_snapshot(seasonal_report(editor))
    page = html.unescape(rendering.render_web_html(rendering.build_context(snapshot)))
    assert TITLE in page
    assert '(ns)<span class="visually-hidden">: within the usual variation, see note</span>' in page
    assert '(s)<span class="visually-hidden">: bigger than the usual variation would explain' in page
    about = page[page.index('<section class="report-section report-data-note" id="data-note"') :]
    assert "<h2" in about and ABOUT_SIGNIFICANCE in about
    assert '<a href="#data-note">About the figures</a>' in page  # in the contents


@pytest.mark.django_db
def test_the_pdf_notes_explain_the_method_once(editor):
    context = rendering.build_context(build_snapshot(seasonal_report(editor)))
    document = html.unescape(rendering.render_to_string(rendering.PDF_TEMPLATE, context))
    assert document.count(ABOUT_SIGNIFICANCE) == 1
    assert document.count(TITLE) == 2  # one per section with a table


SCHEMA_1_SIGNIFICANCE = {
    "previous": 138893,
    "current": 150536,
    "method": "normal",
    "z": 21.7,
    "p_value": 1e-100,
    "level": 0.05,
    "significant": True,
    "explanation": "The rise from 138,893 to 150,536 is larger than chance alone would explain.",
}


def schema_1_snapshot():
    snap = reference_snapshot()
    for section in snap["sections"]:
        for row in section["rows"]:
            if row["kpi"]["code"] == "1.1":
                row["analysis"] = {"spc": None, "significance": SCHEMA_1_SIGNIFICANCE}
    return snap


def test_a_schema_1_version_keeps_the_words_it_was_published_with():
    page = html.unescape(rendering.render_web_html(rendering.build_context(schema_1_snapshot())))
    assert TITLE_SCHEMA_1 in page and TITLE not in page
    assert (
        '(s)<span class="visually-hidden">: larger than chance alone would explain, see note</span>' in page
    )
    assert "The rise from 138,893 to 150,536 is larger than chance alone would explain." in page
    assert ABOUT_SIGNIFICANCE not in page  # it did not use this method


def test_rows_not_tested_get_no_marker_but_say_why():
    snap = reference_snapshot()
    row = snap["sections"][3]["rows"][0]
    row["analysis"] = {
        "spc": None,
        "significance": {
            "method": "not-tested", "significant": None, "fallback": "",
            "explanation": "Not tested: this figure is a rate or an average of the months.",
        },
    }  # fmt: skip
    page = html.unescape(rendering.render_web_html(rendering.build_context(snap)))
    assert "Not tested: this figure is a rate or an average of the months." in page
    assert 'class="sig-marker"' not in page
    assert TITLE_NONE_TESTED + "</p>" in page  # no (s)/(ns) to explain
    assert ABOUT_SIGNIFICANCE not in page  # nothing was tested
