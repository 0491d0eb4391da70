"""Test data for reports: snapshots in the frozen format (docs/snapshot.md) and rows to hold them.

`reference_snapshot()` is a report shaped like the 2018/19 reference: a cover report with
seven numbered paragraphs, five performance sections with six KPI rows (monthly trends for
both years) and about twenty numbered paragraphs, and a glossary appendix of twenty terms.
Every figure is the reference report's own.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils.html import escape

from kpis.formatting import format_change, format_percent_change, format_value

APPROVED_AT = datetime(2019, 6, 10, 14, 30, tzinfo=UTC)

PERIOD = {
    "start": "2018-04-01",
    "end": "2019-03-31",
    "label": "2018/19",
    "short_label": "18/19",
    "long_label": "April 2018 – March 2019",
}
COMPARISON = {
    "start": "2017-04-01",
    "end": "2018-03-31",
    "label": "2017/18",
    "short_label": "17/18",
    "long_label": "April 2017 – March 2018",
}
MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
MONTH_STARTS = [f"{2018 + (i >= 9)}-{(i + 3) % 12 + 1:02d}-01" for i in range(12)]

# (section heading, [(code, name, category, current total, previous total)], paragraphs)
PERFORMANCE = [
    (
        "Calls",
        [
            ("1.1", "Number of 999 Calls", "Calls", 150536, 138893),
            ("1.2", "Number of 101 Calls", "Calls", 383000, 501342),
        ],
        [
            "The Contact Management Department (CMD) has dealt with an increase in 999 calls in excess of "
            "11,000 calls throughout the 18/19 financial year compared to the 17/18 year. The average time "
            "to answer a 999 call for the 18/19 financial year is 5 seconds.",
            "Over the past financial year CMD has retained a monthly abandonment rate of less than 0.6% of "
            "999 calls answered within 10 seconds, despite a large increase in the volume of 999 calls.",
            "Non-Emergency telephone demand (101) has reduced by over 100,000 calls when compared to the "
            "previous year. The average time to answer a 101 call was 1 minute 14 seconds.",
            "The abandonment rate for 101 calls has varied on a monthly basis from approximately 6% to 15% "
            "of 101 calls not being answered in 30 seconds.",
            "Throughout the 18/19 financial year the CMD received in excess of half a million calls (999 and "
            "101) into the control room; around 45% of them resulted in incidents being created.",
        ],
    ),
    (
        "Incidents",
        [("2.1", "Number of Incidents", "Incidents", 239920, 251454)],
        [
            "CMD created 11,534 fewer incidents in comparison to the previous year. Grade 2 Emergency "
            "incidents have reduced by 2% (-1,043 incidents).",
            "Grade 3 (negotiated response) and Grade 4 (telephone) incidents have decreased by 4,041 (-9%) "
            "and 6,546 (-7%) respectively when compared to the previous financial year.",
            "The force dealt with a total of 6,565 domestic incidents throughout the last financial year and "
            "an additional 14,364 domestic incidents involving an associated reported crime.",
            "The Missing Person Team (MPT) managed 5,198 missing person records involving 3,107 individual "
            "persons throughout the 18/19 financial year, a +23% growth in missing person records.",
            "The total number of ASB incidents in 18/19 was 14,321; this represents an 18% reduction "
            "(-3,080 incidents).",
        ],
    ),
    (
        "Crime",
        [("3.1", "All Crime", "Crime", 92924, 84760)],
        [
            "The force recorded an additional 8,164 crimes compared to the previous year, a +9.6% increase "
            "driven in part by an improvement in crime data integrity.",
            "Violence with Injury offences have reduced by 501 offences (-7%) this financial year when "
            "compared with the previous year.",
            "Violence without Injury offences have however seen an increase of 5,590 offences (+37%).",
            "During the 18/19 financial year there were 2,521 knife crime offences recorded, an increase of "
            "192 offences (+8%) when compared to the previous year.",
            "Hate crime offences have increased by 152 offences (+10%) when compared to the previous "
            "financial year.",
            "Total Burglary offences have reduced by 953 offences (-10%) from the previous year.",
        ],
    ),
    (
        "Outcomes",
        [("4.1", "Volume of Positive Outcomes", "Outcomes", 10585, 10806)],
        [
            "The number of positive outcomes recorded over the 18/19 financial year represents a 2% "
            "decrease when compared to the previous year.",
            "Public confidence is measured by the Crime Survey for England and Wales. For January 18 - "
            "December 18 the force is recording a confidence level of 72%.",
            "All user satisfaction levels appear to be stable at 75%.",
        ],
    ),
    (
        "Prevention",
        [("5.1", "Number of Stop and Searches", "Prevention", 3716, 2032)],
        [
            "The period 2018/19 saw a continued increase in the use of stop and search; the volume "
            "represents an 83% increase when compared to the previous year.",
            "Controlled drugs searches totalled 2,159 throughout 18/19, a 220% increase (+1,484 searches).",
            "Integrated Offender Management (IOM), as at 31st March 2019, is actively managing 347 prolific "
            "and dangerous offenders.",
            "The Prevent Team handled 153 referrals in 18/19, a decrease on the previous year (161, -5%).",
        ],
    ),
]

NARRATIVE = [
    (
        "Purpose of Report",
        [
            "To provide the Police and Crime Panel with an update of the performance of the force for the "
            "period 1 April 2018 to 31 March 2019."
        ],
    ),
    ("Recommendation", ["The Panel is recommended to discuss and note the contents of the report."]),
    (
        "Background",
        [
            "Previously the performance report to the Panel was drafted by the force, in consultation with "
            "the Police and Crime Commissioner.",
            "The report is a work in progress and will be developed further by the Performance Manager.",
            "The Performance Manager has recently been involved in creating a new force performance "
            "framework.",
            "The measures of performance in this report should be considered in the context of the "
            "significant changes to the policing landscape over the last five years.",
            "The performance report itself is attached at Appendix A. The glossary is at Appendix B.",
        ],
    ),
]

GLOSSARY = [
    ("Contact Management Department", "CMD", "The department responsible for taking initial calls."),
    ("Domestic Abuse Investigation Unit", "DAIU", "The team that manages high risk domestic abuse."),
    ("Domestic Violence Prevention Orders", "DVPO", "A civil order that protects victims."),
    ("Clare's Law", "", "Lets the public ask about a partner's history of abuse."),
    ("Missing Persons Team", "MPT", "Supports the investigation of missing people."),
    ("Anti-social behaviour", "ASB", "A wide range of unacceptable activity."),
    ("Incident", "", "A report to the police about public safety, crime, ASB or transport."),
    ("Crime", "", "A deliberate act that causes harm and is against the law."),
    ("County Lines", "", "Criminal gangs supplying drugs from cities to smaller towns."),
    ("Historical Offences", "", "A crime reported over a year after it started."),
    ("Integrated Offender Management", "IOM", "A multi-agency approach to managing offenders."),
    ("Managing Sexual Offenders and Violent Offenders", "MOSOVO", "Manages registered offenders."),
    ("Paedophile Online Investigation Team", "POLIT", "Investigates indecent images of children."),
    ("Signal", "", "The Force Rape Investigation Team."),
    ("Prevent Team", "", "Part of the Counter Terrorism Policing Network."),
    ("Positive Outcome", "", "Sanctioned detections and restorative outcomes."),
    ("Pronto", "", "A mobile app for officers to complete duties remotely."),
    ("Most Similar Forces", "MSF", "Peer groups of forces with similar demographics."),
    ("Organised Crime Group", "OCG", "Organised criminals working together."),
    ("Child Sexual Exploitation", "CSE", "Sexual abuse of a person below the age of 18."),
]

# A seasonal shape for spreading a year's total over its months (sums to 12).
SHAPE = [0.98, 1.04, 1.06, 1.12, 1.05, 0.97, 1.0, 0.96, 0.9, 0.94, 0.93, 1.05]


def monthly(total: int, *, tilt: float = 0.0) -> list[float]:
    """Twelve whole monthly values summing exactly to total."""
    weights = [s * (1 + tilt * (i - 5.5) / 11) for i, s in enumerate(SHAPE)]
    raw = [total * w / sum(weights) for w in weights]
    values = [float(round(v)) for v in raw]
    values[-1] += total - sum(values)
    return values


def _period_value(period: dict, value: int | None) -> dict:
    return {
        "period": dict(period),
        "value": None if value is None else f"{value}.0000",
        "months_expected": 12,
        "months_present": 12 if value is not None else 0,
        "source": "months" if value is not None else "none",
        "note": "",
    }


def kpi_row(code: str, name: str, category: str, current: int, previous: int, *, show_chart=True) -> dict:
    """A performance row in the frozen format, with displays as kpis.formatting writes them."""
    change = Decimal(current - previous)
    pct = change / Decimal(previous) * 100
    anchor = "kpi-" + code.replace(".", "-")
    return {
        "anchor": anchor,
        "show_chart": show_chart,
        "kpi": {
            "code": code,
            "name": name,
            "category": category,
            "unit": "count",
            "decimals": 0,
            "good_direction": "neither",
            "description": f"{name} in the period.",
        },
        "comparison": {
            "current": _period_value(PERIOD, current),
            "previous": _period_value(COMPARISON, previous),
            "change": f"{change}.0000",
            "percent_change": str(pct),
            "current_display": format_value(Decimal(current), "count"),
            "previous_display": format_value(Decimal(previous), "count"),
            "change_display": format_change(change, "count"),
            "percent_change_display": format_percent_change(pct),
            "notes": [],
        },
        "trend": {
            "kpi": {"code": code, "name": name, "unit": "count", "decimals": 0},
            "labels": list(MONTHS),
            "months": list(MONTH_STARTS),
            "previous_months": [f"{int(month[:4]) - 1}{month[4:]}" for month in MONTH_STARTS],
            "current": {"label": "2018/19", "short_label": "18/19", "values": monthly(current, tilt=0.1)},
            "previous": {"label": "2017/18", "short_label": "17/18", "values": monthly(previous)},
        },
        "analysis": {"spc": None, "significance": None},
    }


def paragraph(number: str, text: str, *, html: str | None = None) -> dict:
    return {
        "number": number,
        "anchor": "para-" + number.replace(".", "-"),
        "html": html if html is not None else f"<p>{escape(text)}</p>",
        "text": text,
    }


def term_anchor(term: str) -> str:
    return "term-" + "".join(c if c.isalnum() else "-" for c in term.lower()).strip("-")


def reference_snapshot(*, version: int = 1, marking: str = "NOT PROTECTIVELY MARKED") -> dict:
    """A fresh snapshot dict shaped like the 2018/19 reference report."""
    sections = []
    number = 0
    for heading, texts in NARRATIVE:
        paras = []
        for text in texts:
            number += 1
            paras.append(paragraph(str(number), text))
        anchor = heading.lower().replace(" ", "-")
        sections.append(
            {
                "anchor": anchor,
                "kind": "narrative",
                "number": "",
                "heading": heading,
                "title": heading,
                "intro_html": "",
                "paragraphs": paras,
                "rows": [],
                "terms": [],
            }
        )
    figures = []
    for index, (heading, kpis, texts) in enumerate(PERFORMANCE, start=1):
        rows = [kpi_row(*kpi) for kpi in kpis]
        paras = [paragraph(f"{index}.{n}", text) for n, text in enumerate(texts, start=1)]
        if index == 1:
            # The glossary link the snapshot builder adds to a known abbreviation.
            paras[0]["html"] = paras[0]["html"].replace(
                "(CMD)",
                '(<abbr title="Contact Management Department"><a href="#term-contact-management-department">'
                "CMD</a></abbr>)",
            )
        sections.append(
            {
                "anchor": f"section-{index}",
                "kind": "performance",
                "number": str(index),
                "heading": heading,
                "title": f"{index}. {heading}",
                "intro_html": "",
                "paragraphs": paras,
                "rows": rows,
                "terms": [],
            }
        )
        for row in rows:
            for key, period in (("current", PERIOD), ("previous", COMPARISON)):
                figures.append(
                    {
                        "kpi_code": row["kpi"]["code"],
                        "kpi_name": row["kpi"]["name"],
                        "unit": "count",
                        "period_label": period["label"],
                        "period_start": period["start"],
                        "period_end": period["end"],
                        "value": row["comparison"][key]["value"].split(".")[0],
                        "kind": "period",
                    }
                )
    sections.append(
        {
            "anchor": "glossary",
            "kind": "glossary",
            "number": "",
            "heading": "Glossary",
            "title": "Appendix B: Glossary",
            "intro_html": "",
            "paragraphs": [],
            "rows": [],
            "terms": [
                {
                    "term": term,
                    "abbreviation": abbr,
                    "definition_html": f"<p>{escape(definition)}</p>",
                    "anchor": term_anchor(term),
                }
                for term, abbr, definition in GLOSSARY
            ],
        }
    )
    return {
        "schema": 1,
        "report": {
            "title": "Force Performance: End of Year 2018/19",
            "slug": "force-performance-2018-19",
            "organisation": "Leicestershire Police",
            "audience": "public",
            "marking": marking,
            "period": dict(PERIOD),
            "comparison": dict(COMPARISON),
            "meeting_date": "2019-06-21",
            "contact": {
                "name": "Elizabeth Starr",
                "role": "Performance Manager",
                "email": "performance@example.org",
                "phone": "0116 000 0000",
            },
            "data_note": "Monthly figures in the charts are illustrative.",
            "version": version,
            "change_note": "",
            "approved_by": "Rita Reviewer",
            "approved_at": APPROVED_AT.isoformat(),
            "frozen_at": APPROVED_AT.isoformat(),
        },
        "sections": sections,
        "figures": figures,
    }


def previous_year_snapshot() -> dict:
    """The reference moved back a year, as the 2017/18 report was frozen: same KPIs and
    paragraph numbers, its "current" figures the reference's "previous" ones."""
    snap = reference_snapshot()
    info = snap["report"]
    info.update(
        title="Force Performance: End of Year 2017/18",
        slug="force-performance-2017-18",
        period=dict(COMPARISON),
        comparison={
            "start": "2016-04-01",
            "end": "2017-03-31",
            "label": "2016/17",
            "short_label": "16/17",
            "long_label": "April 2016 – March 2017",
        },
        meeting_date="2018-06-22",
    )
    for row in all_rows(snap):
        comparison = row["comparison"]
        comparison["current"], comparison["current_display"] = (
            comparison["previous"],
            comparison["previous_display"],
        )
        comparison["previous_display"] = comparison["change_display"] = "–"
        comparison["percent_change_display"] = "–"
    crime = next(s for s in snap["sections"] if s["heading"] == "Crime")
    crime["paragraphs"][0]["text"] = "Crime in 2017/18 was recorded as the Home Office counts it."
    crime["paragraphs"][0]["html"] = "<p>Crime in 2017/18 was recorded as the Home Office counts it.</p>"
    return snap


def all_rows(snapshot: dict) -> list[dict]:
    return [row for section in snapshot["sections"] for row in section["rows"]]


def make_report(*, snapshot: dict | None = None, slug: str | None = None, **extra):
    """A Report row matching a snapshot (default: the reference), status APPROVED."""
    from kpis.models import Organisation
    from reports.models import Report

    snap = snapshot or reference_snapshot()
    info = snap["report"]
    org, _ = Organisation.objects.get_or_create(
        code="home", defaults={"name": info["organisation"], "is_home": True}
    )
    fields = {
        "title": info["title"],
        "slug": slug or info["slug"],
        "organisation": org,
        "audience": info["audience"],
        "marking": info["marking"],
        "period_start": date.fromisoformat(info["period"]["start"]),
        "period_end": date.fromisoformat(info["period"]["end"]),
        "meeting_date": date.fromisoformat(info["meeting_date"]) if info["meeting_date"] else None,
        "contact_name": info["contact"]["name"],
        "status": Report.Status.APPROVED,
        **extra,
    }
    return Report.objects.create(**fields)


def make_publication(*, report=None, snapshot: dict | None = None, version: int = 1, **extra):
    """A queued Publication holding a snapshot (the reference unless given)."""
    from reports.models import Publication

    snap = copy.deepcopy(snapshot) if snapshot is not None else reference_snapshot(version=version)
    if report is None:
        report = make_report(snapshot=snap)
    snap["report"]["slug"] = report.slug
    snap["report"]["version"] = version
    fields = {
        "report": report,
        "version": version,
        "snapshot": snap,
        "approved_at": datetime.fromisoformat(snap["report"]["approved_at"]),
        "render_status": Publication.RenderStatus.QUEUED,
        **extra,
    }
    return Publication.objects.create(**fields)


# --------------------------------------------------------------------------- reader site
def tiny_pdf(text: str = "Performance report") -> bytes:
    """A small but real one-page PDF (pypdf), for tests that do not need the renderer."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({NameObject("/Title"): TextStringObject(text)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_live_publication(
    *,
    report=None,
    snapshot: dict | None = None,
    version: int = 1,
    html: bool = True,
    pdf: bool | bytes = True,
    published_at=None,
    **extra,
):
    """A published version as readers get it: the body HTML rendered from the snapshot with
    the real template and stored with its checksum, and a PDF (tiny unless bytes are given)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from reports.models import Publication
    from reports.views import render_body

    publication = make_publication(report=report, snapshot=snapshot, version=version, **extra)
    updates = {
        "render_status": Publication.RenderStatus.PUBLISHED,
        "published_at": published_at or timezone.now(),
        "rendered_at": timezone.now(),
    }
    base = f"publications/{publication.report.slug}/v{version}"
    if html:
        body = render_body(publication.snapshot).encode()
        updates["html_file"] = default_storage.save(f"{base}/report.html", ContentFile(body))
        updates["html_sha256"] = hashlib.sha256(body).hexdigest()
    if pdf:
        data = pdf if isinstance(pdf, bytes) else tiny_pdf(publication.snapshot["report"]["title"])
        updates["pdf_file"] = default_storage.save(f"{base}/report.pdf", ContentFile(data))
        updates["pdf_sha256"] = hashlib.sha256(data).hexdigest()
        updates["pdf_pages"] = 1
    Publication.objects.filter(pk=publication.pk).update(**updates)
    publication.refresh_from_db()
    return publication
