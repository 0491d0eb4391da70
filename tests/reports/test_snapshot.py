"""The frozen snapshot: numbering, sanitised commentary, glossary appendix, every figure."""

import pytest

from glossary.models import Term
from reports.models import Paragraph, Report, Section
from reports.snapshot import build_snapshot

from .builders import make_report


@pytest.mark.django_db
def test_paragraphs_are_numbered_as_the_reference_does():
    report = make_report()
    Paragraph.objects.create(
        section=report.sections.get(heading="Recommendation"), position=2, text="Second."
    )
    snap = build_snapshot(report)
    numbers = [(s["title"], [p["number"] for p in s["paragraphs"]]) for s in snap["sections"]]
    assert numbers == [
        ("Purpose of Report", ["1"]),
        ("Recommendation", ["2", "3"]),  # the cover report's numbering continues
        ("1. Calls", ["1.1", "1.2"]),
        ("2. Crime", ["2.1"]),
        ("Glossary", []),
    ]
    anchors = [p["anchor"] for s in snap["sections"] for p in s["paragraphs"]]
    assert len(anchors) == len(set(anchors))


@pytest.mark.django_db
def test_reordering_sections_renumbers_them():
    report = make_report()
    Section.objects.filter(report=report, heading="Crime").update(position=0)
    titles = [s["title"] for s in build_snapshot(report)["sections"]]
    assert titles[:4] == ["1. Crime", "Purpose of Report", "Recommendation", "2. Calls"]


@pytest.mark.django_db
def test_kpi_rows_carry_the_reference_figures():
    report = make_report()
    calls = build_snapshot(report)["sections"][2]["rows"][0]
    c = calls["comparison"]
    assert (
        c["current_display"],
        c["previous_display"],
        c["change_display"],
        c["percent_change_display"],
    ) == ("150,536", "138,893", "+11,643", "+8%")
    assert calls["trend"]["labels"][0] == "Apr" and len(calls["trend"]["current"]["values"]) == 12
    assert sum(calls["trend"]["current"]["values"]) == 150536


@pytest.mark.django_db
def test_figures_list_every_period_total_and_month():
    snap = build_snapshot(make_report())
    figures = snap["figures"]
    assert len(figures) == 2 * (2 + 24)
    totals = {(f["kpi_code"], f["period_label"]): f["value"] for f in figures if f["kind"] == "period"}
    assert totals[("3.1", "2018/19")].startswith("92924")
    months = [f for f in figures if f["kpi_code"] == "1.1" and f["kind"] == "month"]
    assert months[0]["period_label"] == "Apr 2017" and months[-1]["period_label"] == "Mar 2019"


@pytest.mark.django_db
def test_commentary_is_sanitised_and_glossary_linked():
    report = make_report()
    section = report.sections.get(heading="Calls")
    Paragraph.objects.create(
        section=section, position=3, text="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    snap = build_snapshot(report)
    paras = snap["sections"][2]["paragraphs"]
    assert (
        '<abbr title="Contact Management Department"><a href="#term-contact-management-department"'
        in paras[0]["html"]
        or '<abbr title="Contact Management Department"><a href="#term-cmd"' in paras[0]["html"]
    )
    assert "<abbr" not in paras[1]["html"]  # only the first use in a section
    assert "<script" not in paras[2]["html"] and 'href="javascript' not in paras[2]["html"]
    assert "&lt;script&gt;" in paras[2]["html"]


@pytest.mark.django_db
def test_glossary_appendix_lists_used_terms_in_order_or_all():
    report = make_report()
    Term.objects.create(term="Most Similar Forces", definition="Peer groups of forces.")
    glossary = build_snapshot(report)["sections"][-1]
    assert [t["term"] for t in glossary["terms"]] == ["Contact Management Department"]
    Report.objects.filter(pk=report.pk).update(glossary_mode="all")
    report.refresh_from_db()
    glossary = build_snapshot(report)["sections"][-1]
    assert [t["term"] for t in glossary["terms"]] == ["Contact Management Department", "Most Similar Forces"]


@pytest.mark.django_db
def test_quarter_report_compares_with_same_quarter_a_year_earlier():
    from datetime import date

    report = make_report()
    Report.objects.filter(pk=report.pk).update(
        period_kind="quarter", period_start=date(2018, 10, 1), period_end=date(2018, 12, 31)
    )
    report.refresh_from_db()
    snap = build_snapshot(report)
    assert snap["report"]["period"]["label"] == "Q3 2018/19"
    assert snap["report"]["comparison"]["label"] == "Q3 2017/18"
    row = snap["sections"][2]["rows"][0]
    assert row["trend"]["labels"] == ["Oct", "Nov", "Dec"]
    assert row["comparison"]["current"]["months_expected"] == 3
