"""Rendering a frozen report: one context, from it the web page's HTML and the PDF.

A snapshot in, bytes out, and nothing more: storing the files and moving the
publication's status are `reports.artifacts` and `reports.publishing`.

Everything reads the publication's snapshot (docs/snapshot.md) and nothing else, so the
web page and the PDF never disagree and a later upload never changes them. The PDF is
WeasyPrint, tagged PDF/UA-1, with an explicit fetcher (reports.pdf_fetcher) so editors'
text can make it fetch or attach nothing. Output is deterministic: the same snapshot
gives the same bytes, so rendering twice leaves the same checksum.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import gc
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime

import nh3
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import peer_svg, significance_display, svg_text_runs, svgcharts
from .pdf_fetcher import BASE_URL, StaticOnlyFetcher
from .snapshot import build_snapshot

log = logging.getLogger(__name__)

PDF_TEMPLATE = "reports/pdf/document.html"
WEB_TEMPLATE = "reports/web/body.html"
LANGUAGE = "en-GB"

# What commentary, introductions and glossary definitions may contain once more, checked
# here even though the snapshot is already sanitised: the PDF must never see anything
# WeasyPrint would fetch or attach (rel is replaced, so rel="attachment" cannot survive).
_ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "a", "br", "abbr"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "abbr": {"title"}}
_ALLOWED_SCHEMES = {"http", "https", "mailto"}


def _clean(html: str) -> str:
    return mark_safe(  # safe: nh3 has just removed everything not on the allow-list
        nh3.clean(
            html or "",
            tags=_ALLOWED_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            url_schemes=_ALLOWED_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )


def _numbered(html: str, number: str) -> str:
    """The paragraph with its number leading the first line (hanging in the margin by CSS).

    Inline rather than a float or grid cell: it reads in order when text is copied out of
    the PDF, and costs WeasyPrint no extra layout pass.
    """
    label = format_html('<span class="para__number">{} </span>', number)
    if html.startswith("<p>"):
        return mark_safe(f"<p>{label}{html[3:]}")  # safe: both parts are safe already
    return mark_safe(f"<p>{label}</p>{html}")  # safe: both parts are safe already


def _long_date(value: date | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def _parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _parse_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _chart_title(row: dict, trend: dict) -> str:
    kpi = row["kpi"]
    return (
        f"Trend chart for {kpi['code']} {kpi['name']}: monthly values, "
        f"{trend['previous']['label']} (blue dashed line, square markers) against "
        f"{trend['current']['label']} (red solid line, circle markers)."
    )


def has_monthly_figures(trend: dict | None) -> bool:
    """Whether a frozen trend has at least one month with a figure, in either period."""
    if not trend:
        return False
    return any(v is not None for key in ("current", "previous") for v in trend[key]["values"])


def _draw_trend_chart(row: dict) -> None:
    """The PDF's trend chart of a row (the web page draws its own with Chart.js)."""
    trend = row["trend"]
    row["chart_title"] = row["chart_image"] = row["chart_alt"] = ""
    # A row without a single monthly figure says so in its table row; no chart.
    row["empty"] = not has_monthly_figures(trend)
    if row["show_chart"] and not row["empty"]:
        row["chart_title"] = _chart_title(row, trend)
        svg = svgcharts.trend_svg(trend, title=row["chart_title"], analysis=row["analysis"])
        row["chart_image"] = svg_image_src(svg)
        row["chart_alt"] = f"{row['chart_title']} {svgcharts.describe(trend)}"


def _draw_peer_chart(row: dict) -> None:
    """A row's peer chart, inline for the web page and as an image for the PDF."""
    row["peer_svg"] = row["peer_image"] = row["peer_alt"] = ""
    if not row.get("peer"):
        return
    row["peer_title"] = (
        f"Peer comparison for {row['kpi']['code']} {row['kpi']['name']}: "
        f"{row['peer']['group']}, {row['peer']['display']}."
    )
    svg = peer_svg.peer_chart_svg(row["peer"], title=row["peer_title"])
    row["peer_svg"] = mark_safe(svg)  # safe: built by peer_svg, every text escaped
    if svg:
        row["peer_image"] = svg_image_src(svg)
        row["peer_alt"] = f"{row['peer_title']} {peer_svg.describe(row['peer'])}"


def _prepare_section(section: dict) -> None:
    """Sanitised HTML marked safe, numbered paragraphs and drawn charts for one section."""
    section["intro_html"] = _clean(section["intro_html"])
    for para in section["paragraphs"]:
        para["html"] = _clean(para["html"])
        para["numbered_html"] = _numbered(para["html"], para["number"])
    for term in section["terms"]:
        term["definition_html"] = _clean(term["definition_html"])
    for row in section["rows"]:
        _draw_trend_chart(row)
        _draw_peer_chart(row)
    rows = section["rows"]
    section["has_charts"] = any(row["chart_image"] or row["peer_image"] for row in rows)
    section["has_peers"] = any(row.get("peer") for row in rows)


def build_context(snapshot: dict, *, draft: bool = False) -> dict:
    """The one context the web page and the PDF are both rendered from.

    Adds to the snapshot what templates need: sanitised HTML marked safe, a pre-drawn SVG
    chart per row that shows one (and a peer chart where the row has peer figures),
    long-form dates, the contents list and PDF metadata.
    """
    snap = copy.deepcopy(snapshot)
    report = snap["report"]
    period, comparison = report["period"], report["comparison"]
    sections = []
    contents = []
    about_significance = ""
    for section in snap["sections"]:
        _prepare_section(section)
        if significance_display.decorate_section(section) and not about_significance:
            # The method is explained once: in "About the figures", and in the PDF at its first use.
            about_significance = section["significance_about"] = significance_display.ABOUT_SIGNIFICANCE
        sections.append(section)
        contents.append({"anchor": section["anchor"], "title": section["title"]})

    approved_at = _parse_datetime(report.get("approved_at"))
    frozen_at = _parse_datetime(report.get("frozen_at"))
    stamp = approved_at or frozen_at
    report["meeting_date_display"] = _long_date(_parse_date(report.get("meeting_date")))
    report["approved_at_display"] = _long_date(approved_at)
    report["frozen_at_display"] = _long_date(frozen_at)
    report["is_sensitive"] = report["marking"] == "OFFICIAL-SENSITIVE"
    identity = f"{report['slug']}|v{report['version']}|{'draft' if draft else 'final'}"
    return {
        "snapshot": snapshot,
        "report": report,
        # The same dict under a name a page's own `report` (the preview's model) cannot hide.
        "report_data": report,
        "sections": sections,
        "contents": contents,
        "draft": draft,
        "significance_about": about_significance,
        "language": LANGUAGE,
        "legend": (
            f"Blue dashed line with square markers: {comparison['label']}. "
            f"Red solid line with circle markers: {period['label']}."
        ),
        "pdf": {
            "title": report["title"],
            "author": report["organisation"],
            "subject": (
                f"Performance report to the Police and Crime Panel, {period['long_label']}"
                f" ({period['label']} against {comparison['label']})"
            ),
            # Fixed dates and identifier: the same snapshot always gives the same bytes.
            "created": stamp.isoformat(timespec="seconds") if stamp else "",
            "modified": stamp.isoformat(timespec="seconds") if stamp else "",
            "identifier": hashlib.sha256(identity.encode()).hexdigest()[:32],
        },
    }


def svg_image_src(svg: str) -> str:
    """A chart as a data: URL, for the PDF's <img>.

    The web page inlines its SVG; the PDF takes it as an image, so WeasyPrint parses the
    chart once as SVG instead of also running every chart node through the HTML cascade,
    and the figure's alternative text can hold every value (the <img> alt).
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


# A line break and the indentation after it: in HTML a run of white space reads as one
# space, and the body holds no <pre>, <textarea> or white-space: pre styling.
_INDENTATION = re.compile(r"\n[ \t\n]+")


def render_web_html(context: dict) -> str:
    """The report body for the reader site, frozen at render time.

    The template's indentation is dropped (a tenth of the page's bytes): every reader
    downloads this page, and the server sends it thousands of times a second.
    """
    return _INDENTATION.sub("\n", render_to_string(WEB_TEMPLATE, context))


def render_pdf_html(context: dict) -> str:
    """The HTML document WeasyPrint lays out (also what the benchmark gives Chromium)."""
    return render_to_string(PDF_TEMPLATE, context)


def _strip_attachment_links(document) -> None:
    """WeasyPrint embeds files named by <a|link rel="attachment">: never let it."""
    for element in document.etree_element.iter():
        rel = element.get("rel")
        if rel and "attachment" in rel.lower():
            del element.attrib["rel"]


_fonts = threading.local()


def _font_config():
    """One font configuration per thread, kept between renders.

    Building it (fontconfig, Pango's font map) is a tenth of a render. The report's fonts
    (@font-face in report-pdf.css, files from our static folder) are added to it by the
    first render and kept: WeasyPrint skips a face it has already added, so reusing it
    changes nothing in the output (same bytes). Pango objects are not shared across
    threads, hence one per thread.
    """
    if getattr(_fonts, "config", None) is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts.config = FontConfiguration()
    return _fonts.config


@contextlib.contextmanager
def cyclic_gc_paused():
    """Hold Python's cyclic garbage collector off for one render, then collect its garbage.

    A render allocates hundreds of thousands of small objects (boxes, styles, PDF
    operators). With the collector running, each burst of allocations triggers passes
    that walk every object the process holds (Django, the app, the snapshot), and those
    passes were a third of the render's time. Everything the render leaves behind (some
    40,000 objects in reference cycles) is still young afterwards, so one collection of
    the young generations frees it, here rather than at some later allocation: memory
    does not build up (peak resident memory measured the same) and the render pays for
    its own garbage. The collector's previous state is restored, so a caller that had
    turned it off keeps it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(1)


def html_to_pdf(html: str, *, identifier: str, fetcher: StaticOnlyFetcher | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count) for an HTML document, tagged PDF/UA-1."""
    with cyclic_gc_paused():
        # The document is dropped inside the pause, so the collection after it frees it.
        return _weasyprint_pdf(html, identifier=identifier, fetcher=fetcher)


def _weasyprint_pdf(html: str, *, identifier: str, fetcher: StaticOnlyFetcher | None) -> tuple[bytes, int]:
    from weasyprint import HTML

    svg_text_runs.install()
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    _strip_attachment_links(document)
    rendered = document.render(font_config=_font_config())
    pdf = rendered.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode())
    if fetcher.refused:
        log.warning("The PDF renderer refused %d URL(s), first %s", len(fetcher.refused), fetcher.refused[0])
    return pdf, len(rendered.pages)


def render_pdf(context: dict) -> bytes:
    """The report as a tagged A4 PDF."""
    pdf, _ = html_to_pdf(render_pdf_html(context), identifier=context["pdf"]["identifier"])
    return pdf


def render_draft_pdf(report) -> bytes:
    """A report's current working copy as a PDF watermarked DRAFT (for the preview)."""
    return render_pdf(build_context(build_snapshot(report), draft=True))


@dataclass(frozen=True)
class RenderedReport:
    """A version's two files: the PDF (and its page count) and the reader page's HTML."""

    pdf: bytes
    pdf_pages: int
    html: bytes


def render_report(snapshot: dict) -> RenderedReport:
    """A frozen snapshot as the published PDF and the reader site's HTML, from one context."""
    context = build_context(snapshot)
    pdf, pages = html_to_pdf(render_pdf_html(context), identifier=context["pdf"]["identifier"])
    return RenderedReport(pdf=pdf, pdf_pages=pages, html=render_web_html(context).encode())
