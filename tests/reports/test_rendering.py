"""reports/rendering.py: the context, the PDF parsed back and determinism (the fetcher's
refusals are in test_pdf_safety.py)."""

import base64
import copy
import gc
import hashlib
import io

import pikepdf
import pytest
from pypdf import PdfReader

from reports import rendering
from reports.pdf_fetcher import BASE_URL, StaticOnlyFetcher

from .factories import (
    GLOSSARY,
    all_rows,
    kpi_row,
    reference_snapshot,
)


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def placed_texts(page) -> list[tuple[float, str]]:
    """(height from the bottom of the page in points, text) for each run of text on a page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[5] * cm[3] + cm[5], " ".join(text.split())))

    page.extract_text(visitor_text=visit)
    return found


def outline_titles(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        titles = []

        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
        return titles


@pytest.fixture(scope="module")
def reference_pdf():
    context = rendering.build_context(reference_snapshot())
    return rendering.render_pdf(context)


# --------------------------------------------------------------------------- context
def test_context_draws_a_chart_only_for_rows_that_show_one():
    snap = reference_snapshot()
    snap["sections"][3]["rows"][1]["show_chart"] = False
    context = rendering.build_context(snap)
    rows = [row for section in context["sections"] for row in section["rows"]]
    assert [bool(row["chart_image"]) for row in rows] == [True, False, True, True, True, True]
    assert rows[0]["chart_image"].startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(rows[0]["chart_image"].split(",", 1)[1]).startswith(b"<svg")
    assert "Number of 999 Calls" in rows[0]["chart_title"]


def test_context_formats_dates_and_lists_every_section_in_contents():
    context = rendering.build_context(reference_snapshot())
    assert context["report"]["meeting_date_display"] == "21 June 2019"
    assert context["report"]["approved_at_display"] == "10 June 2019"
    assert [c["title"] for c in context["contents"]] == [s["title"] for s in reference_snapshot()["sections"]]
    assert context["pdf"]["author"] == "Leicestershire Police"
    assert context["pdf"]["created"] == "2019-06-10T14:30:00+00:00"


def test_context_does_not_change_the_snapshot_it_was_given():
    snap = reference_snapshot()
    before = copy.deepcopy(snap)
    rendering.build_context(snap)
    assert snap == before


def test_context_sanitises_html_again_and_keeps_glossary_links():
    snap = reference_snapshot()
    para = snap["sections"][3]["paragraphs"][0]
    para["html"] += '<script>alert(1)</script><a rel="attachment" href="file:///etc/hostname">x</a>'
    html = rendering.build_context(snap)["sections"][3]["paragraphs"][0]["html"]
    assert "<script>" not in html and "attachment" not in html and "file:" not in html
    assert '<abbr title="Contact Management Department"><a href="#term-contact-management-department"' in html


# --------------------------------------------------------------------------- the PDF parsed back
def test_pdf_is_a4_with_cover_contents_and_the_expected_page_count(reference_pdf):
    reader = PdfReader(io.BytesIO(reference_pdf))
    assert 8 <= len(reader.pages) <= 14
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
    texts = page_texts(reference_pdf)
    assert "Force Performance: End of Year 2018/19" in texts[0]
    assert "Panel meeting 21 June 2019" in texts[0]
    assert "Contents" in texts[1]
    assert f"Page 1 of {len(texts)}" in texts[0]
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


def test_every_figure_of_the_kpi_tables_is_in_the_pdf(reference_pdf):
    text = " ".join(page_texts(reference_pdf))
    rows = all_rows(reference_snapshot())
    assert len(rows) == 6
    for row in rows:
        c = row["comparison"]
        line = (
            f"{row['kpi']['code']} {row['kpi']['name']} {c['current_display']} {c['previous_display']} "
            f"{c['change_display']} {c['percent_change_display']}"
        )
        assert line in text, line
    assert "1.2 Number of 101 Calls 383,000 501,342 -118,342 -24%" in text


def assert_marking_top_and_bottom(pdf: bytes, marking: str):
    pages = PdfReader(io.BytesIO(pdf)).pages
    for number, page in enumerate(pages, start=1):
        heights = [y for y, text in placed_texts(page) if text == marking]
        assert any(y > 800 for y in heights), (number, heights)  # in the top margin
        assert any(y < 40 for y in heights), (number, heights)  # in the bottom margin


def test_marking_is_at_the_top_and_bottom_of_every_page(reference_pdf):
    assert_marking_top_and_bottom(reference_pdf, "NOT PROTECTIVELY MARKED")


def test_contents_gives_the_page_each_section_starts_on(reference_pdf):
    texts = page_texts(reference_pdf)
    for title, page in (("1. Calls", 4), ("5. Prevention", None), ("Appendix B: Glossary", None)):
        found = [i + 1 for i, t in enumerate(texts[2:], start=2) if title in t]
        assert found, title
        start = page or found[0]
        assert f"{title} {'.' * 3}" in texts[1] or f"{title}" in texts[1]
        assert texts[1].split(title, 1)[1].lstrip(" .").startswith(str(start)), title


def test_pdf_is_tagged_with_language_title_and_metadata(reference_pdf):
    with pikepdf.open(io.BytesIO(reference_pdf)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-GB"
        info = pdf.docinfo
        assert str(info.Title) == "Force Performance: End of Year 2018/19"
        assert str(info.Author) == "Leicestershire Police"
        assert "Police and Crime Panel" in str(info.Subject)
        assert str(info.CreationDate).startswith("D:20190610")
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == "Force Performance: End of Year 2018/19"
            assert meta.get("pdfuaid:part") == "1"
        kinds = set()

        def walk(node, depth=0):
            if depth > 40:
                return
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                kinds.add(str(node.S))
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid, depth + 1)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids, depth + 1)

        walk(root.StructTreeRoot)
        assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P", "/Figure", "/L", "/LI"} <= kinds, kinds


def test_every_chart_is_a_figure_with_alternative_text(reference_pdf):
    with pikepdf.open(io.BytesIO(reference_pdf)) as pdf:
        alts = [
            str(obj.Alt)
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure" and "/Alt" in obj
        ]
    assert len(alts) == 6
    assert all(a.startswith("Trend chart for ") and "dashed" in a for a in alts)
    # ... followed by every monthly value of both years, since the PDF has no monthly table.
    assert all(a.count("Apr ") == 2 and a.count("Mar ") == 2 for a in alts), alts


def test_fonts_are_embedded(reference_pdf):
    with pikepdf.open(io.BytesIO(reference_pdf)) as pdf:
        fonts = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ]
        assert fonts
        assert all(any(k in f for k in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts)
        # Only the repository's Liberation Sans (tests/reports/test_pdf_fonts.py checks the files).
        names = [str(f.FontName) for f in fonts]
        assert all("+Report-Liberation-Sans" in name for name in names), names


def test_outline_has_every_section(reference_pdf):
    titles = outline_titles(reference_pdf)
    expected = [s["title"] for s in reference_snapshot()["sections"]]
    assert titles == ["Cover: Force Performance: End of Year 2018/19", "Contents", *expected]


def test_numbered_paragraphs_and_glossary_are_in_the_pdf(reference_pdf):
    text = " ".join(page_texts(reference_pdf))
    assert "1.1 The Contact Management Department (CMD) has dealt" in text
    assert "5.4 The Prevent Team handled 153 referrals" in text
    assert "7 The performance report itself" in text
    for term, _abbr, _definition in GLOSSARY:
        assert term in text, term
    assert "Note: Monthly figures in the charts are illustrative." in text


def test_kpi_table_header_repeats_across_pages_and_rows_never_split():
    snap = reference_snapshot()
    section = snap["sections"][3]
    section["rows"] = [
        kpi_row(f"1.{n}", f"Measure number {n} with a long enough name to wrap", "Calls", 1000 + n, 900)
        for n in range(1, 41)
    ]
    for row in section["rows"]:
        row["show_chart"] = False
    pdf = rendering.render_pdf(rendering.build_context(snap))
    texts = page_texts(pdf)
    table_pages = [t for t in texts if "Measure number" in t]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert "KPI Performance 18/19 Performance 17/18 Volume change % change" in text
    for row in section["rows"]:
        c = row["comparison"]
        whole = f"{row['kpi']['code']} {row['kpi']['name']} {c['current_display']} {c['previous_display']}"
        assert sum(whole in t for t in table_pages) == 1, whole


def test_draft_pdf_is_watermarked_on_every_page_and_final_is_not(reference_pdf):
    draft = rendering.render_pdf(rendering.build_context(reference_snapshot(), draft=True))
    texts = page_texts(draft)
    assert all("DRAFT" in t for t in texts)
    assert not any("DRAFT" in t for t in page_texts(reference_pdf))


def test_rendering_twice_gives_identical_bytes(reference_pdf):
    again = rendering.render_pdf(rendering.build_context(reference_snapshot()))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(reference_pdf).hexdigest()


def test_official_sensitive_marking_is_on_every_page():
    snap = reference_snapshot(marking="OFFICIAL-SENSITIVE")
    assert_marking_top_and_bottom(rendering.render_pdf(rendering.build_context(snap)), "OFFICIAL-SENSITIVE")


def test_a_row_with_peer_figures_gets_a_peer_chart_and_table_in_the_pdf():
    snap = reference_snapshot()
    row = snap["sections"][3]["rows"][0]

    def member(name, value, rank, home=False):
        return {"name": name, "value": f"{value}.0000", "display": f"{value}.0%", "rank": rank,
                "is_home": home}  # fmt: skip

    row["peer"] = {
        "group": "Most Similar Forces",
        "kpi_code": "1.1",
        "measure": "value",
        "period_label": "2018/19",
        "comparison_label": "",
        "direction": "up",
        "rank": 2,
        "of": 3,
        "display": "MSF rank 2 of 3",
        "direction_note": "1 = highest value (higher is better)",
        "highest": {"name": "Sussex", "value": "84.0000", "display": "84.0%"},
        "lowest": {"name": "Kent", "value": "68.0000", "display": "68.0%"},
        "average": {"name": "Group average", "value": "74.6667", "display": "74.7%"},
        "members": [
            member("Sussex", 84, 1),
            member("Leicestershire Police", 72, 2, home=True),
            member("Kent", 68, 3),
        ],
        "missing": [],
        "notes": [],
    }
    context = rendering.build_context(snap)
    assert context["sections"][3]["rows"][0]["peer_svg"].startswith("<svg")
    pdf = rendering.render_pdf(context)
    text = " ".join(page_texts(pdf))
    assert "1.1 Number of 999 Calls: Most Similar Forces, MSF rank 2 of 3" in text
    assert "Leicestershire Police (this force) 72.0%" in text
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        alts = [str(o.Alt) for o in doc.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
    # The figure's alternative text names the chart and then gives every force's figure.
    (peer_alt,) = [a for a in alts if a.startswith("Peer comparison for ")]
    name = "Peer comparison for 1.1 Number of 999 Calls: Most Similar Forces, MSF rank 2 of 3. "
    assert peer_alt.startswith(name)
    assert "1. Sussex: 84.0%." in peer_alt and "2. Leicestershire Police (this force): 72.0%." in peer_alt


def test_kpi_and_glossary_boxes_stay_inside_the_page_margins():
    from weasyprint import HTML

    html = rendering.render_pdf_html(rendering.build_context(reference_snapshot()))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    checked = 0

    def walk(box, right_edge):
        nonlocal checked
        if getattr(box, "element_tag", None) in ("table", "img", "dl", "th", "td"):
            assert box.position_x + box.margin_width() <= right_edge + 0.5, box
            checked += 1
        for child in getattr(box, "children", []):
            walk(child, right_edge)

    for page in document.pages:
        root = page._page_box
        right_edge = root.content_box_x() + root.width
        walk(root, right_edge)
    assert checked > 50


SMALL_DOCUMENT = '<html lang="en-GB"><head><title>t</title></head><body><p>Figures</p></body></html>'


def test_the_cyclic_collector_is_off_during_a_render_and_back_on_after(monkeypatch):
    seen = []
    real = rendering._weasyprint_pdf

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "_weasyprint_pdf", spy)
    assert gc.isenabled()
    rendering.html_to_pdf(SMALL_DOCUMENT, identifier="x")
    assert seen == [False]
    assert gc.isenabled()

    # A caller that had turned it off keeps it off, even when the render fails.
    monkeypatch.setattr(rendering, "_weasyprint_pdf", lambda *a, **k: 1 / 0)
    gc.disable()
    try:
        with pytest.raises(ZeroDivisionError):
            rendering.html_to_pdf(SMALL_DOCUMENT, identifier="x")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_render_collects_its_own_cyclic_garbage():
    """A report's layout leaves tens of thousands of objects in reference cycles. The render
    collects them itself, so they are freed (and paid for) by the render, not left to the
    next allocation; even a caller that keeps the collector off gets none of them."""
    html = rendering.render_pdf_html(rendering.build_context(reference_snapshot()))
    rendering.html_to_pdf(html, identifier="x")
    gc.collect()
    gc.disable()
    try:
        rendering.html_to_pdf(html, identifier="x")
        assert gc.collect() < 100
    finally:
        gc.enable()


def test_the_web_body_drops_indentation_and_reads_the_same():
    from html.parser import HTMLParser

    from django.template.loader import render_to_string

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    def words(html):
        parser = Text()
        parser.feed(html)
        return " ".join("".join(parser.parts).split())

    context = rendering.build_context(reference_snapshot())
    indented = render_to_string(rendering.WEB_TEMPLATE, context)
    body = rendering.render_web_html(context)
    assert "\n " not in body and "\n\n" not in body
    assert len(body) < 0.92 * len(indented)
    # Same words with the same spaces between them: white space between inline elements
    # survives (as one space or a line break), so "Calls (s)" never becomes "Calls(s)".
    assert words(body) == words(indented)
