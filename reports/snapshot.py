"""Freeze a report into the JSON snapshot a publication keeps (see docs/snapshot.md).

The same function builds the editor's live preview (not saved) and, at approval, the
frozen content of version N. Numbering, Markdown, sanitising and glossary linking all
happen here, once, so the web page, the PDF and the downloads can never disagree.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from glossary.linking import GlossaryEntry, SectionLinker
from glossary.models import Term
from kpis.analysis import row_analysis
from kpis.comparison import compare
from kpis.models import Kpi, Observation
from kpis.national_rankings import row_standing
from kpis.periods import Period, month_end
from kpis.rankings import row_peer
from kpis.series import monthly_trend, observations

from .markdown import render_markdown
from .models import Report, Section
from .snapshot_types import Snapshot, validate_snapshot

# 2: rows[].analysis.significance is the test that allows for the monthly variation
# (kpis.significance_result); schema-1 snapshots hold the two-count Poisson test, and every
# reader of a snapshot still reads them (reports.significance_display).
SCHEMA = 2
INVALID_SNAPSHOT = (
    "The content of {report} cannot be frozen: its snapshot is not what readers expect ({problems})."
)
# What differs between two builds of the same content: left out of the checksum.
VOLATILE_REPORT_KEYS = ("version", "approved_by", "approved_at", "frozen_at")
# What a section's paragraphs and rows read, in one query each: a group's members once for
# every row ranked or standing among it (kpis.rankings reads them), however many rows.
SECTION_PREFETCH = (
    "paragraphs__source_notes",
    "kpi_rows__kpi",
    "kpi_rows__peer_group__members",
    "kpi_rows__standing_group__members",
)


def report_periods(report: Report) -> tuple[Period, Period]:
    """The period a report covers and the one it compares against."""
    current = Period(report.period_start.replace(day=1), month_end(report.period_end))
    if report.compare_start and report.compare_end:
        previous = Period(report.compare_start.replace(day=1), month_end(report.compare_end))
    else:
        previous = current.same_period_last_year()
    return current, previous


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _plain_text(html: str) -> str:
    return " ".join(strip_tags(html).split())


def _row_peer(row, report: Report, current: Period) -> dict | None:
    if row.peer_group_id is None:
        return None
    return row_peer(
        kpi=row.kpi,
        organisation=report.organisation,
        period_start=current.start,
        period_end=current.end,
        group=row.peer_group,
    )


def row_standing_dict(row, report: Report, current: Period, previous: Period) -> dict | None:
    """row["standing"]: the national standing the row asks for, frozen (docs/snapshot.md).

    The force's % change from the comparison period against every force of the row's
    standing group, with its region's place; None when the row asks for none or fewer
    than two forces have figures.
    """
    if row.standing_group_id is None:
        return None
    return row_standing(
        kpi=row.kpi,
        organisation=report.organisation,
        period=current,
        comparison_period=previous,
        group=row.standing_group,
    )


def _entries() -> list[GlossaryEntry]:
    return [
        GlossaryEntry(
            term=t.term, abbreviation=t.abbreviation, anchor=f"term-{t.slug}", definition=t.definition
        )
        for t in Term.objects.all()
    ]


class _Anchors:
    """Anchors unique within one page: a repeated base gets -2, -3, …"""

    def __init__(self):
        self.taken: set[str] = set()

    def unique(self, base: str) -> str:
        anchor, n = base or "section", 2
        while anchor in self.taken:
            anchor, n = f"{base}-{n}", n + 1
        self.taken.add(anchor)
        return anchor


def row_figures(kpi, *, organisation, current, previous) -> tuple[dict, dict, dict]:
    """(comparison, trend, analysis) of one KPI for a report's periods, live from the data.

    One read of each period's observations serves the table, the chart and the analysis;
    the preview's chart of one row (reports.live_charts) reads exactly what a snapshot does.
    """
    rows = (
        observations(kpi=kpi, organisation=organisation, period=current),
        observations(kpi=kpi, organisation=organisation, period=previous),
    )
    comparison = compare(
        kpi=kpi, organisation=organisation, current=current, previous=previous, rows=rows
    ).as_dict()
    trend = monthly_trend(kpi=kpi, organisation=organisation, current=current, previous=previous, rows=rows)
    return comparison, trend, row_analysis(kpi=kpi, trend=trend, comparison=comparison)


def _kpi_row(row, report: Report, current, previous, anchors: _Anchors) -> dict:
    kpi = row.kpi
    comparison, trend, analysis = row_figures(
        kpi, organisation=report.organisation, current=current, previous=previous
    )
    row_data = {
        "anchor": anchors.unique("kpi-" + slugify(kpi.code.replace(".", "-"))),
        "show_chart": row.show_chart,
        "kpi": _kpi_dict(kpi),
        "comparison": comparison,
        "trend": trend,
        "analysis": analysis,
    }
    peer = _row_peer(row, report, current)
    if peer:
        row_data["peer"] = peer
    standing = row_standing_dict(row, report, current, previous)
    if standing:
        row_data["standing"] = standing
    return row_data


class _Numbering:
    """Paragraph numbers as the reference prints them: narrative 1, 2, …; performance 3.1, 3.2, …"""

    def __init__(self):
        self.narrative = 0
        self.performance = 0

    def section_number(self, section) -> str:
        if section.kind != Section.Kind.PERFORMANCE:
            return ""
        self.performance += 1
        return str(self.performance)

    def paragraph_number(self, section, index: int) -> str | None:
        if section.kind == Section.Kind.NARRATIVE:
            self.narrative += 1
            return str(self.narrative)
        if section.kind == Section.Kind.PERFORMANCE:
            return f"{self.performance}.{index}"
        return None  # a glossary section prints terms, not paragraphs


def _paragraphs(section, linker: SectionLinker, numbering: _Numbering, anchors: _Anchors) -> list[dict]:
    out = []
    for index, paragraph in enumerate(section.paragraphs.all(), start=1):
        number = numbering.paragraph_number(section, index)
        if number is None:
            continue
        html = linker.link(render_markdown(paragraph.text))
        out.append(
            {
                "number": number,
                "anchor": anchors.unique("para-" + number.replace(".", "-")),
                "html": html,
                "text": _plain_text(html),
                "source_notes": [
                    {"figure": n.figure, "occurrence": n.occurrence, "note": n.note}
                    for n in paragraph.source_notes.all()
                ],
            }
        )
    return out


def _section(section, *, linker, numbering: _Numbering, anchors: _Anchors) -> dict:
    """A section's heading, number, intro and paragraphs (rows and terms are added after)."""
    number = numbering.section_number(section)
    intro_html = linker.link(render_markdown(section.intro)) if section.intro else ""
    anchor = anchors.unique(f"section-{number}" if number else slugify(section.heading)[:60])
    return {
        "kind": section.kind,
        "heading": section.heading,
        "number": number,
        "title": f"{number}. {section.heading}" if number else section.heading,
        "intro_html": intro_html,
        "paragraphs": _paragraphs(section, linker, numbering, anchors),
        "rows": [],
        "terms": [],
        "anchor": anchor,
    }


def _glossary_terms(entries) -> list[dict]:
    return [
        {
            "term": e.term,
            "abbreviation": e.abbreviation,
            "anchor": e.anchor,
            "definition_html": render_markdown(e.definition),
        }
        for e in entries
    ]


def _report_header(report: Report, current, previous, *, version, approved_by, approved_at, change_note):
    return {
        "title": report.title,
        "slug": report.slug,
        "organisation": report.organisation.name,
        "audience": report.audience,
        "marking": report.marking,
        "period": current.as_dict(),
        "comparison": previous.as_dict(),
        "meeting_date": _iso(report.meeting_date),
        "contact": {
            "name": report.contact_name,
            "role": report.contact_role,
            "email": report.contact_email,
            "phone": report.contact_phone,
        },
        "data_note": report.illustrative_note,
        "version": version,
        "change_note": report.change_note if change_note is None else change_note,
        "approved_by": str(approved_by) if approved_by else "",
        "approved_at": approved_at.isoformat() if approved_at else None,
        "frozen_at": timezone.now().isoformat(),
    }


def build_snapshot(
    report: Report,
    *,
    version: int | None = None,
    approved_by=None,
    approved_at=None,
    change_note: str | None = None,
) -> dict:
    """Everything the report shows, as JSON-safe data."""
    current, previous = report_periods(report)
    sections = list(report.sections.prefetch_related(*SECTION_PREFETCH).order_by("position", "pk"))
    # Terms are linked only to a glossary the report prints: without one a link goes nowhere.
    entries = _entries() if any(s.kind == Section.Kind.GLOSSARY for s in sections) else []
    used_terms: list[GlossaryEntry] = []
    out_sections, figures = [], []
    numbering, anchors = _Numbering(), _Anchors()
    for section in sections:
        linker = SectionLinker(entries)
        data = _section(section, linker=linker, numbering=numbering, anchors=anchors)
        if section.kind == Section.Kind.PERFORMANCE:
            for row in section.kpi_rows.all():
                row_data = _kpi_row(row, report, current, previous, anchors)
                data["rows"].append(row_data)
                figures.extend(_row_figures(row.kpi, row_data["comparison"], row_data["trend"]))
        for entry in linker.used_in_order:
            if entry not in used_terms:
                used_terms.append(entry)
        out_sections.append(data)

    glossary_entries = entries if report.glossary_mode == Report.GlossaryMode.ALL else used_terms
    for data in out_sections:
        if data["kind"] == Section.Kind.GLOSSARY:
            data["terms"] = _glossary_terms(glossary_entries)
    in_tables = {row["kpi"]["code"] for data in out_sections for row in data["rows"]}
    header = _report_header(
        report,
        current,
        previous,
        version=version,
        approved_by=approved_by,
        approved_at=approved_at,
        change_note=change_note,
    )
    return {
        "schema": SCHEMA,
        "report": header,
        "sections": out_sections,
        "figures": figures,
        "catalogue": catalogue_rows(report, current, previous, exclude=in_tables),
    }


def freeze_snapshot(report: Report, **approval) -> Snapshot:
    """`build_snapshot` for approval, refused (ValidationError naming each path) unless every
    reader of it will find what reports.snapshot_types says it holds."""
    snapshot = build_snapshot(report, **approval)
    problems = validate_snapshot(snapshot)
    if problems:
        raise ValidationError(INVALID_SNAPSHOT.format(report=report, problems="; ".join(problems)))
    return snapshot


def catalogue_rows(report: Report, current: Period, previous: Period, *, exclude: set[str]) -> list[dict]:
    """KPIs outside the report's tables with a figure for either period, for the commentary checker.

    Commentary often quotes a measure the tables leave out ("14,364 domestic incidents
    involving a crime"); with its figures frozen here the checker can still tell whether
    the text agrees with the data.
    """
    out = []
    first, last = min(current.start, previous.start), max(current.end, previous.end)
    window = Observation.objects.order_by().filter(
        organisation=report.organisation, period_end__gte=first, period_end__lte=last
    )
    kpis = Kpi.objects.filter(pk__in=window.values("kpi_id")).exclude(code__in=exclude).order_by("code")
    # Two queries however many KPIs: the KPIs, then all their figures in the window.
    by_kpi: dict[int, list] = {}
    figures = window.filter(kpi__in=kpis.values("pk")).values_list(
        "kpi_id", "period_start", "period_end", "value"
    )
    for kpi_id, start, end, value in figures:
        by_kpi.setdefault(kpi_id, []).append((start, end, value))
    for kpi in kpis:
        rows = tuple(_ending_inside(by_kpi.get(kpi.pk, []), period) for period in (current, previous))
        if not rows[0] and not rows[1]:
            continue
        comparison = compare(
            kpi=kpi, organisation=report.organisation, current=current, previous=previous, rows=rows
        ).as_dict()
        if comparison["current"]["value"] is None and comparison["previous"]["value"] is None:
            continue
        out.append({"kpi": _kpi_dict(kpi), "comparison": comparison})
    return out


def _ending_inside(rows: list, period: Period) -> list:
    """The (start, end, value) rows `series.observations` would read for the period."""
    return [row for row in rows if period.start <= row[1] <= period.end]


def _kpi_dict(kpi) -> dict:
    return {
        "code": kpi.code, "name": kpi.name, "category": kpi.category, "unit": kpi.unit,
        "decimals": kpi.decimals, "good_direction": kpi.good_direction, "description": kpi.description,
        "aliases": kpi.alias_list(),
    }  # fmt: skip


def _row_figures(kpi, comparison: dict, trend: dict) -> list[dict]:
    """The period totals and monthly values a row shows, one figure each."""
    out = []
    for key in ("previous", "current"):
        pv = comparison[key]
        out.append(
            {
                "kpi_code": kpi.code,
                "kpi_name": kpi.name,
                "unit": kpi.unit,
                "period_label": pv["period"]["label"],
                "period_start": pv["period"]["start"],
                "period_end": pv["period"]["end"],
                "value": pv["value"],
                "kind": "period",
            }
        )
    for key, months in (("previous", trend["previous_months"]), ("current", trend["months"])):
        for month_iso, value in zip(months, trend[key]["values"], strict=False):
            start = date.fromisoformat(month_iso)
            out.append(
                {
                    "kpi_code": kpi.code,
                    "kpi_name": kpi.name,
                    "unit": kpi.unit,
                    "period_label": f"{start:%b %Y}",
                    "period_start": start.isoformat(),
                    "period_end": month_end(start).isoformat(),
                    "value": None if value is None else _number(value),
                    "kind": "month",
                }
            )
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def content_checksum(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON, without what differs between two builds.

    The review page shows it with the content; approval rebuilds the snapshot and refuses
    if the checksum differs, so what is frozen is what the reviewer read (docs/snapshot.md).
    """
    report = {k: v for k, v in snapshot["report"].items() if k not in VOLATILE_REPORT_KEYS}
    content = {**snapshot, "report": report}
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def paragraph_numbers(report: Report) -> dict[str, int]:
    """{paragraph number as the snapshot gives it: paragraph pk}, for links from checker findings."""
    out, narrative, performance = {}, 0, 0
    for section in report.sections.prefetch_related("paragraphs").order_by("position", "pk"):
        if section.kind == Section.Kind.PERFORMANCE:
            performance += 1
        for index, paragraph in enumerate(section.paragraphs.all(), start=1):
            if section.kind == Section.Kind.NARRATIVE:
                narrative += 1
                out[str(narrative)] = paragraph.pk
            elif section.kind == Section.Kind.PERFORMANCE:
                out[f"{performance}.{index}"] = paragraph.pk
    return out


def search_text(snapshot: dict) -> str:
    """Title and commentary, for the reader site's search."""
    parts = [snapshot["report"]["title"]]
    for section in snapshot["sections"]:
        parts.append(section["title"])
        parts.extend(p["text"] for p in section["paragraphs"])
    return "\n".join(parts)
