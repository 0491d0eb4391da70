"""Unsourced figures, the source notes editors attach to them, and check_commentary."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports import workflow
from reports.models import Paragraph, Report, SourceNote
from reports.snapshot import build_snapshot

from .builders import make_report


@pytest.fixture
def report(editor):
    report = make_report(by=editor)
    crime = Paragraph.objects.get(section__report=report, text__contains="8,164")
    Paragraph.objects.create(section=crime.section, position=2, text="Burglary fell by 953 offences.")
    return report


def burglary(report) -> Paragraph:
    return Paragraph.objects.get(section__report=report, text__startswith="Burglary")


@pytest.mark.django_db
def test_a_source_note_is_frozen_in_the_snapshot(report):
    SourceNote.objects.create(
        paragraph=burglary(report), figure="953", note="Force crime system, 5 April 2019"
    )
    paragraph = next(
        p for s in build_snapshot(report)["sections"] for p in s["paragraphs"] if p["number"] == "2.2"
    )
    assert paragraph["source_notes"] == [
        {"figure": "953", "occurrence": 1, "note": "Force crime system, 5 April 2019"}
    ]


@pytest.mark.django_db
def test_the_review_page_lists_unsourced_figures_then_shows_their_notes(client, editor, reviewer, report):
    review = reverse("admin:reports_report_review", args=[report.pk])
    client.force_login(editor)
    page = client.get(review).content.decode()
    assert "1 unsourced figure" in page and "<q>953</q>" in page
    add = reverse("admin:reports_sourcenote_add")
    assert f'href="{add}?paragraph={burglary(report).pk}&amp;figure=953&amp;occurrence=1"' in page
    assert (
        "2 figures: 1 agrees with the data, 0 disagree, 0 name a period the report does not cover, " in page
    )

    SourceNote.objects.create(
        paragraph=burglary(report), figure="953", note="Force crime system, 5 April 2019"
    )
    workflow.report_submit(report=report, by=editor)
    client.force_login(reviewer)
    page = client.get(review).content.decode()
    assert "1 has a source note, 0 unsourced." in page
    assert "Source note:</strong>" in page and "Source: Force crime system, 5 April 2019" in page
    assert "unsourced figure" not in page
    preview = client.get(reverse("admin:reports_report_preview", args=[report.pk])).content.decode()
    assert "1 has a source note, 0 unsourced</summary>" in preview


@pytest.mark.django_db
def test_an_editor_adds_a_note_in_the_admin_and_becomes_an_author(client, editor, make_user, report):
    from portal import roles

    other = make_user("editor2", roles.EDITORS)
    client.force_login(other)
    add = reverse("admin:reports_sourcenote_add")
    data = {"paragraph": burglary(report).pk, "figure": "953", "occurrence": 1, "note": "Crime system"}
    assert client.post(add, data).status_code == 302
    assert SourceNote.objects.get().note == "Crime system"
    assert report.contributors.filter(pk=other.pk).exists()  # so they may not approve it

    wrong = client.post(add, {**data, "figure": "935", "note": "Typo"})
    assert wrong.status_code == 200
    assert (
        "“935” is not in the paragraph: copy the figure exactly as the text writes it."
        in wrong.content.decode()
    )
    twice = client.post(add, {**data, "occurrence": 2, "note": "Second"})
    assert "“953” appears 1 time in the paragraph" in twice.content.decode()


@pytest.mark.django_db
def test_notes_are_for_drafts_and_editors_only(client, editor, reviewer, report):
    add = reverse("admin:reports_sourcenote_add")
    data = {"paragraph": burglary(report).pk, "figure": "953", "occurrence": 1, "note": "Crime system"}
    client.force_login(reviewer)
    assert client.post(add, data).status_code == 403
    note = SourceNote.objects.create(paragraph=burglary(report), figure="953", note="Crime system")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    client.force_login(editor)
    change = reverse("admin:reports_sourcenote_change", args=[note.pk])
    assert client.post(change, {**data, "note": "Changed"}).status_code == 403
    form = client.post(add, data)  # a paragraph of a report in review is not offered
    assert form.status_code == 200 and "Select a valid choice" in form.content.decode()
    note.refresh_from_db()
    assert note.note == "Crime system"


@pytest.mark.django_db
def test_check_commentary_prints_every_figure_and_the_summary(report):
    out = io.StringIO()
    call_command("check_commentary", report.slug, stdout=out)
    text = out.getvalue()
    assert (
        "   2.1  8,164  agrees [KPI 3.1, change]: Agrees with the table: +8,164 (3.1 All Crime, change)."
        in text
    )
    assert "   2.2  953  unsourced: No data the checker can tie it to" in text
    assert text.rstrip().endswith(
        "2 figures: 1 agrees with the data, 0 disagree, 0 name a period the report does not cover, "
        "0 have a source note, 1 unsourced"
    )


@pytest.mark.django_db
def test_check_commentary_exits_non_zero_when_a_figure_disagrees(report, editor, reviewer, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    Paragraph.objects.filter(text__contains="8,164").update(
        text="The force recorded an additional 8,146 crimes."
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="^1 figure disagrees with the data.$"):
        call_command("check_commentary", report.slug, stdout=out)
    line = "8,146  DISAGREES [KPI 3.1, change]: The text ties 8,146 to 3.1 All Crime (the change); the table"
    assert line in out.getvalue()
    workflow.report_submit(report=report, by=editor)
    workflow.report_approve(report=report, by=reviewer, comment="The typo is in the source.")
    with pytest.raises(CommandError, match="1 figure disagrees"):
        call_command("check_commentary", report.slug, "--version", "1", stdout=io.StringIO())
    with pytest.raises(CommandError, match="has no version 2 \\(published: 1\\)"):
        call_command("check_commentary", report.slug, "--version", "2", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No report with the slug"):
        call_command("check_commentary", "no-such-report", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_kpi_outside_the_tables_is_frozen_in_the_catalogue_and_checked(report):
    from kpis.models import Kpi, Organisation
    from reports.checker import check_snapshot

    from .builders import add_year

    burglary_kpi = Kpi.objects.create(
        code="3.9", name="Burglary offences", category="Crime", aliases="burglary; burglaries"
    )
    add_year(burglary_kpi, Organisation.home(), 2018, 8_577)
    add_year(burglary_kpi, Organisation.home(), 2017, 9_530)
    Kpi.objects.create(code="9.9", name="No figures at all", category="Crime")
    snapshot = build_snapshot(report)
    assert [row["kpi"]["code"] for row in snapshot["catalogue"]] == ["3.9"]
    assert snapshot["catalogue"][0]["kpi"]["aliases"] == ["burglary", "burglaries"]
    assert snapshot["catalogue"][0]["comparison"]["change"] == "-953.0000"
    finding = next(f for f in check_snapshot(snapshot) if f.text == "953")
    assert (finding.status, finding.kpi_code, finding.measure) == ("match", "3.9", "change")
    Paragraph.objects.filter(pk=burglary(report).pk).update(text="Burglary fell by 935 offences.")
    finding = next(f for f in check_snapshot(build_snapshot(report)) if f.text == "935")
    assert finding.status == "mismatch" and "two digits look swapped" in finding.message
