"""reports/svg_text_runs.py: SVG labels drawn as whole runs in the PDF, not letter by letter."""

import io
import re

import pikepdf
import weasyprint

from reports import rendering, svg_text_runs, svgcharts

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 60" width="300" height="60">'
    f'<g {svgcharts.FONT} font-size="11">{{}}</g></svg>'
)


def text_runs(svg_body: str) -> int:
    """How many text-showing operators (TJ, Tj) the chart's drawing holds."""
    html = (
        '<html lang="en-GB"><head><title>t</title></head><body>'
        f'<img alt="chart" src="{rendering.svg_image_src(SVG.format(svg_body))}"></body></html>'
    )
    pdf, _ = rendering.html_to_pdf(html, identifier="t")
    count = 0
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    data = obj.read_bytes()
                except pikepdf.PdfError:
                    continue
                count += len(re.findall(rb"(?<![A-Za-z])T[Jj](?![A-Za-z])", data))
    return count


def test_installed_on_the_weasyprint_release_it_was_written_for():
    # Failing here means WeasyPrint was upgraded: check whether it still draws SVG text one
    # character at a time (Kozea/WeasyPrint#2249) before moving WRITTEN_FOR on, or drop
    # the module if upstream has fixed it.
    assert weasyprint.__version__.startswith(svg_text_runs.WRITTEN_FOR)
    assert svg_text_runs.install() is True
    assert svg_text_runs.installed()


def test_each_label_is_shown_in_one_run_whatever_its_length():
    labels = '<text x="10" y="20">2017/18</text><text x="290" y="40" text-anchor="end">15,000</text>'
    assert text_runs(labels) == 2


def test_text_placed_character_by_character_still_goes_through_weasyprints_own_code():
    assert text_runs('<text x="10 30 50" y="20">abc</text>') == 3
    assert text_runs('<text x="10" y="20" rotate="15">abc</text>') == 3
    assert text_runs('<text x="10" y="20" letter-spacing="2">abc</text>') == 3


def test_the_report_pdf_still_carries_the_chart_labels_as_text():
    from pypdf import PdfReader

    from .factories import reference_snapshot

    pdf = rendering.render_pdf(rendering.build_context(reference_snapshot()))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for label in ("2017/18", "2018/19", "15,000", "Number", "Month", "Apr", "Mar"):
        assert label in text, label
