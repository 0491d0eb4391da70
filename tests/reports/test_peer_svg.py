"""reports/peer_svg.py and the peer table partial: the chart marks this force beyond colour,
names every figure in words, escapes text, and survives WeasyPrint and axe-core."""

import io
from xml.etree import ElementTree as ET

import pytest
from django.template.loader import render_to_string

from reports.peer_svg import HOME_COLOUR, PEER_COLOUR, THIS_FORCE, describe, peer_chart_svg
from tests.conftest import run_axe, screenshot

SVG = "{http://www.w3.org/2000/svg}"

# The reference's public-confidence comparison, as kpis.rankings freezes it.
CONFIDENCE = {
    "group": "Leicestershire Most Similar Forces",
    "kpi_code": "4.2",
    "measure": "value",
    "period_label": "Jan 2018 – Dec 2018",
    "comparison_label": "",
    "rank": 6,
    "of": 8,
    "display": "MSF rank 6 of 8",
    "direction_note": "1 = highest value (higher is better)",
    "highest": {"name": "Hertfordshire", "value": "84.0000", "display": "84%"},
    "lowest": {"name": "Bedfordshire", "value": "68.0000", "display": "68%"},
    "average": {"name": "Group average", "value": "74.75", "display": "75%"},
    "members": [
        {"name": n, "value": f"{v}.0000", "display": f"{v}%", "rank": r, "is_home": n == "Leicestershire"}
        for r, (n, v) in enumerate(
            [
                ("Hertfordshire", 84),
                ("Sussex", 78),
                ("Hampshire", 77),
                ("Essex", 75),
                ("Kent", 74),
                ("Leicestershire", 72),
                ("Nottinghamshire", 70),
                ("Bedfordshire", 68),
            ],
            start=1,
        )
    ],
    "missing": [],
    "notes": [],
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root):
    """(fill, [(x, width)…]) for each bar path."""
    out = []
    for path in root.iter(f"{SVG}path"):
        fill = path.get("fill")
        if fill in ("none", None):
            continue
        rects = []
        for part in path.get("d").split("M")[1:]:
            xy, rest = part.split("h", 1)
            rects.append((float(xy.split()[0]), float(rest.split("v")[0])))
        out.append((fill, path, rects))
    return out


def test_chart_is_an_image_named_by_its_title_and_described_in_words():
    root = parse(peer_chart_svg(CONFIDENCE, title="4.2 Public confidence: MSF rank 6 of 8"))

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "4.2 Public confidence: MSF rank 6 of 8"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert "6. Leicestershire (this force): 72%." in desc.text
    assert "1. Hertfordshire: 84%." in desc.text
    assert "Group average: 75%." in desc.text


def test_this_force_is_marked_by_pattern_outline_and_words_not_colour_alone():
    root = parse(peer_chart_svg(CONFIDENCE, title="t"))

    drawn = bars(root)
    home = [(fill, path) for fill, path, _ in drawn if fill.startswith("url(")]
    assert len(home) == 1
    fill, path = home[0]
    assert path.get("stroke") == "#0b0c0c" and float(path.get("stroke-width")) >= 2
    pattern = root.find(f".//{SVG}pattern")
    assert fill == f"url(#{pattern.get('id')})"
    assert pattern.find(f"{SVG}rect").get("fill") == HOME_COLOUR
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert f"6. Leicestershire {THIS_FORCE}" in labels
    assert sum(THIS_FORCE in (t or "") for t in labels) == 1


def test_bars_are_in_rank_order_and_proportional_to_the_figures():
    root = parse(peer_chart_svg(CONFIDENCE, title="t"))

    peer_rects = next(rects for fill, _, rects in bars(root) if fill == PEER_COLOUR)
    widths = [w for _, w in peer_rects]
    assert len(peer_rects) == 7
    assert widths == sorted(widths, reverse=True)
    assert widths[0] / widths[-1] == pytest.approx(84 / 68, rel=0.01)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.index("1. Hertfordshire") < labels.index("8. Bedfordshire")
    assert "Group average 75%" in labels


def test_negative_percentage_changes_draw_left_of_zero():
    peer = dict(CONFIDENCE, measure="percent_change", average=None)
    peer["members"] = [
        {"name": "Kent", "value": "-5.0", "display": "-5.0%", "rank": 1, "is_home": False},
        {"name": "Leicestershire", "value": "9.6", "display": "+9.6%", "rank": 2, "is_home": True},
    ]
    root = parse(peer_chart_svg(peer, title="t"))

    ((kent_x, kent_w),) = next(rects for fill, _, rects in bars(root) if fill == PEER_COLOUR)
    ((home_x, home_w),) = next(rects for fill, _, rects in bars(root) if fill.startswith("url("))
    assert kent_x + kent_w == pytest.approx(home_x, abs=0.1)  # both meet at zero
    assert home_w / kent_w == pytest.approx(9.6 / 5, rel=0.02)


def test_force_names_and_titles_are_escaped():
    peer = dict(CONFIDENCE)
    peer["members"] = [dict(CONFIDENCE["members"][0], name='<script>alert("x")</script>&Co')]
    svg = peer_chart_svg(peer, title="<b>bold</b>")

    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "<b>bold</b>"


def test_no_chart_without_figures():
    assert peer_chart_svg(dict(CONFIDENCE, members=[]), title="t") == ""
    assert peer_chart_svg(None, title="t") == ""


def test_two_charts_on_one_page_have_distinct_ids():
    a = parse(peer_chart_svg(CONFIDENCE, title="a"))
    b = parse(peer_chart_svg(dict(CONFIDENCE, kpi_code="3.2"), title="b"))
    assert a.find(f".//{SVG}pattern").get("id") != b.find(f".//{SVG}pattern").get("id")
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


def test_desc_lists_forces_without_a_figure():
    peer = dict(CONFIDENCE, missing=["Kent", "Essex"])
    assert describe(peer).endswith("No figure: Kent, Essex.")


# --------------------------------------------------------------------------- the table
def test_peer_table_lists_every_force_with_this_force_marked_and_a_caption():
    html = render_to_string("reports/partials/peer_table.html", {"peer": CONFIDENCE})

    assert "<caption>" in html
    assert "MSF rank 6 of 8" in html and "Jan 2018 – Dec 2018" in html
    assert "1 = highest value (higher is better)" in html
    assert html.count('<th scope="row">') == 8 + 3  # forces, then highest, lowest, average
    assert "<strong>Leicestershire</strong> (this force)" in html
    assert "Highest (Hertfordshire)</th><td>84%" in html
    assert "Lowest (Bedfordshire)</th><td>68%" in html


def test_peer_table_escapes_names_and_lists_missing_forces_and_notes():
    peer = dict(CONFIDENCE, missing=["<i>Kent</i>"], notes=["Rates use <b>mid-2018</b> estimates."])
    peer["members"] = [dict(CONFIDENCE["members"][0], name="<img src=x onerror=alert(1)>")]
    html = render_to_string("reports/partials/peer_table.html", {"peer": peer})

    assert "<img" not in html and "<i>" not in html and "<b>" not in html
    assert "No figure for &lt;i&gt;Kent&lt;/i&gt;: not ranked." in html
    assert "Rates use &lt;b&gt;mid-2018&lt;/b&gt; estimates." in html


def test_peer_table_renders_nothing_without_figures():
    for peer in (None, dict(CONFIDENCE, members=[])):
        assert render_to_string("reports/partials/peer_table.html", {"peer": peer}).strip() == ""


# --------------------------------------------------------------------------- real renderers
def test_weasyprint_draws_the_chart_and_the_pdf_text_names_this_force():
    from pypdf import PdfReader
    from weasyprint import HTML

    table = render_to_string("reports/partials/peer_table.html", {"peer": CONFIDENCE})
    svg = peer_chart_svg(CONFIDENCE, title="4.2 Public confidence among Most Similar Forces")
    pdf = HTML(string=f"<html lang='en'><body><figure>{svg}</figure>{table}</body></html>").write_pdf()

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "6. Leicestershire (this force)" in text  # the SVG's label, drawn as text
    assert "MSF rank 6 of 8" in text
    assert "Group average 75%" in text


@pytest.mark.browser
def test_chart_and_table_are_axe_clean_in_chromium(page):
    table = render_to_string("reports/partials/peer_table.html", {"peer": CONFIDENCE})
    svg = peer_chart_svg(CONFIDENCE, title="4.2 Public confidence among Most Similar Forces")
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Peer chart</title></head><body><main>"
        f"<h1>Public confidence</h1><figure>{svg}</figure>{table}</main></body></html>"
    )
    screenshot(page, "peer-chart")

    assert run_axe(page) == []
    assert page.get_by_role("img", name="4.2 Public confidence among Most Similar Forces").count() == 1
    assert page.get_by_role("table").get_by_role("row").count() == 1 + 8 + 3


# --------------------------------------------------------------------------- frozen in a publication
MSF = ["Sussex", "Hertfordshire", "Essex", "Bedfordshire", "Hampshire", "Nottinghamshire", "Kent"]


def test_reference_peer_comparison_is_frozen_into_the_published_row(editor, reviewer):
    from pathlib import Path

    from kpis import rankings
    from kpis.imports import spreadsheet_import
    from kpis.models import Kpi, Organisation, PeerGroup
    from reports import workflow
    from reports.models import KpiRow, Section
    from tests.reports.builders import make_report

    home = Organisation.objects.create(name="Leicestershire", code="leicestershire", is_home=True)
    msf = PeerGroup.objects.create(name="Leicestershire Most Similar Forces")
    msf.members.set([Organisation.objects.create(name=n, code=n.lower()) for n in MSF])
    confidence = Kpi.objects.create(
        code="4.2",
        name="Public confidence",
        category="Outcomes",
        unit="percent",
        aggregation="mean",
        good_direction="up",
    )
    csv_file = Path(__file__).resolve().parents[2] / "reports" / "demo_data" / "peer-confidence-2018.csv"
    assert spreadsheet_import(content=csv_file.read_bytes(), file_name=csv_file.name).ok
    report = make_report(by=editor)
    assert report.organisation == home
    outcomes = Section.objects.create(report=report, position=4, kind="performance", heading="Outcomes")
    KpiRow.objects.create(section=outcomes, kpi=confidence, position=1, peer_group=msf, show_chart=False)

    workflow.report_submit(report=report, by=editor)
    publication = workflow.report_approve(report=report, by=reviewer, comment="Checked.").publication

    rows = [row for s in publication.snapshot["sections"] for row in s["rows"]]
    peer = next(row["peer"] for row in rows if row["kpi"]["code"] == "4.2")
    assert (peer["display"], peer["period_label"]) == ("MSF rank 6 of 8", "Jan 2018 – Dec 2018")
    assert (peer["highest"]["display"], peer["lowest"]["display"]) == ("84%", "68%")
    assert all(row.get("peer") is None for row in rows if row["kpi"]["code"] != "4.2")

    # A later upload changes the live figures, never the published version.
    changed = b"kpi_code,period,Sussex\r\n4.2,Jan 2018 - Dec 2018,60\r\n"
    assert spreadsheet_import(content=changed, file_name="later.csv").ok
    live = rankings.row_peer(
        kpi=confidence,
        organisation=home,
        period_start=report.period_start,
        period_end=report.period_end,
        group=msf,
    )
    assert live["display"] == "MSF rank 5 of 8"
    publication.refresh_from_db()
    frozen = next(r["peer"] for s in publication.snapshot["sections"] for r in s["rows"] if r.get("peer"))
    assert frozen["display"] == "MSF rank 6 of 8"
    svg = peer_chart_svg(frozen, title="4.2 Public confidence")
    assert "6. Leicestershire (this force)" in svg and ">78%<" in svg
