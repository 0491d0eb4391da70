"""A KPI row's national standing: frozen into the snapshot at approval, shown on the page and PDF."""

import pytest
from django.forms import modelform_factory
from django.utils.html import strip_tags

from kpis.models import Observation
from reports import rendering, workflow
from reports.models import KpiRow
from reports.snapshot import build_snapshot
from tests.reports.national import crime_row, report_with_national_standing

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Recording an increase: 36 of 42 forces. Ranked 21st of 36 by % increase (1st = largest increase). "
    "Smallest increase in East Midlands (5 forces). No figure for British Transport Police, Dyfed-Powys: "
    "not counted."
)


@pytest.fixture
def report_with_standing(editor):
    return report_with_national_standing(editor)


def test_the_snapshot_carries_the_rows_standing(report_with_standing):
    standing = crime_row(build_snapshot(report_with_standing))["standing"]

    assert standing["group"] == "All forces in England and Wales"
    assert (standing["increasing"], standing["of"]) == (36, 42)
    assert standing["rank_same_way"]["label"] == "21st"
    assert standing["direction_same_way"] == "1st = largest increase"
    assert standing["region"]["words"] == "Smallest increase in East Midlands (5 forces)"
    assert standing["missing"] == ["British Transport Police", "Dyfed-Powys"]
    assert standing["period"]["label"] == "2018/19" and standing["comparison_label"] == "2017/18"
    assert standing["sentence"] == SENTENCE


def test_a_row_without_a_standing_group_has_no_standing(report_with_standing):
    KpiRow.objects.filter(kpi__code="3.1").update(standing_group=None)

    assert "standing" not in crime_row(build_snapshot(report_with_standing))


def test_the_standing_is_frozen_at_approval(report_with_standing, editor, reviewer, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda publication: None)
    workflow.report_submit(report=report_with_standing, by=editor)
    publication = workflow.report_approve(report=report_with_standing, by=reviewer).publication
    # A later upload moves Derbyshire below Leicestershire: the publication does not change.
    Observation.objects.filter(organisation__name="Derbyshire", period_start__year=2018).update(value=1001)

    frozen = crime_row(publication.snapshot)["standing"]

    assert frozen["region"]["extreme"] == "smallest"
    assert crime_row(build_snapshot(report_with_standing))["standing"]["region"]["extreme"] == ""


def test_the_reader_page_and_the_pdf_say_the_standing_in_words(report_with_standing):
    context = rendering.build_context(build_snapshot(report_with_standing))

    page = " ".join(strip_tags(rendering.render_web_html(context)).split())
    pdf_html = " ".join(strip_tags(rendering.render_pdf_html(context)).split())

    lead = "3.1 All Crime compared with All forces in England and Wales, 2018/19 against 2017/18:"
    assert f"{lead} {SENTENCE}" in page
    assert (
        f"3.1 compared with All forces in England and Wales, 2018/19 against 2017/18: {SENTENCE}" in pdf_html
    )


def test_a_row_can_ask_for_a_national_or_region_group_but_not_a_most_similar_one(report_with_standing):
    from kpis.models import PeerGroup

    PeerGroup.objects.create(name="Leicestershire Most Similar Forces", kind=PeerGroup.Kind.MSF)
    offered = modelform_factory(KpiRow, fields=["standing_group"])().fields["standing_group"].queryset

    assert {g.kind for g in offered} == {"national", "region"}
    assert offered.filter(name="East Midlands").exists()


def test_new_figures_for_another_force_make_their_importer_a_contributor_of_a_draft_with_a_standing(
    report_with_standing,
):
    from kpis.models import Kpi, Organisation
    from reports.contributions import drafts_showing_figures, drafts_showing_peers

    derbyshire = Organisation.objects.get(name="Derbyshire")
    crime = Kpi.objects.get(code="3.1")

    assert drafts_showing_figures([crime.pk], [derbyshire.pk]) == [report_with_standing.pk]
    assert drafts_showing_peers([derbyshire.pk], []) == [report_with_standing.pk]
