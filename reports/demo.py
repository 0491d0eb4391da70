"""The 2018/19 demo report, loaded the way a real report arrives.

The catalogue, glossary and monthly figures go through the same spreadsheet imports an
editor uses in the admin; the report is written, submitted by the demo editor and
approved by the demo reviewer through `reports.workflow`; rendering runs as the task
would (in-process without Redis). Safe to run twice: a report that is already published
is left as it is.
"""

from __future__ import annotations

import io
import json
from datetime import date

from django.db import transaction

from glossary.resources import terms_import
from kpis.imports import CATALOGUE, OBSERVATIONS, spreadsheet_import
from kpis.models import Kpi, Organisation, PeerGroup

from . import workflow
from .demo_figures import DEMO_DATA, read_annual_figures, write_observations_wide_xlsx
from .demo_national import load_national_recorded_crime, standing_group_for
from .demo_peers import load_peer_confidence
from .models import KpiRow, Paragraph, Publication, Report, Section, SourceNote

DEMO_SLUG = "force-performance-2018-19"
HOME_FORCE = ("leicestershire", "Leicestershire Police")
APPROVAL_COMMENT = (
    "Approved as presented to the Panel. The commentary checker's flags are the source "
    "report's own wording and are left visible so the Panel can see them."
)


class DemoImportFailed(RuntimeError):
    pass


def _check(outcome) -> None:
    if not outcome.ok:
        raise DemoImportFailed(outcome.summary() + "\n" + "\n".join(str(p) for p in outcome.problems))


def home_force() -> Organisation:
    code, name = HOME_FORCE
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        Organisation.objects.filter(is_home=True).update(is_home=False)
        org = Organisation.objects.create(code=code, name=name, is_home=True)
    elif not org.is_home:
        Organisation.objects.filter(is_home=True).update(is_home=False)
        org.is_home = True
        org.save(update_fields=["is_home"])
    return org


def import_catalogue(editor, out) -> None:
    path = DEMO_DATA / "kpi-catalogue.csv"
    outcome = spreadsheet_import(content=path.read_bytes(), file_name=path.name, user=editor, kind=CATALOGUE)
    _check(outcome)
    out.write(f"KPI catalogue: {outcome.summary()}")


def import_glossary(editor, out) -> None:
    path = DEMO_DATA / "glossary.csv"
    result = terms_import(content=path.read_bytes(), file_name=path.name, user=editor)
    if result.has_errors() or result.has_validation_errors():
        raise DemoImportFailed(f"glossary.csv: {dict(result.totals)}")
    out.write(f"Glossary: {sum(result.totals.values())} terms ({dict(result.totals)})")


def import_monthly_figures(editor, out) -> None:
    buffer = io.BytesIO()
    write_observations_wide_xlsx(buffer, annual=read_annual_figures())
    outcome = spreadsheet_import(
        content=buffer.getvalue(),
        file_name="illustrative-monthly-figures-2017-2019.xlsx",
        user=editor,
        kind=OBSERVATIONS,
    )
    _check(outcome)
    out.write(f"Monthly figures (illustrative): {outcome.summary()}")


def import_national_figures(editor, out) -> None:
    """All forces' recorded crime (illustrative apart from the home force), before the report's rows."""
    out.write(load_national_recorded_crime(user=editor))


def import_peer_figures(editor, out) -> None:
    """The public-confidence comparison with the Most Similar Forces, if peers are available."""
    out.write(load_peer_confidence(user=editor))


@transaction.atomic
def write_report(editor, organisation) -> Report:
    """Create the report as an editor would in the admin: report, sections, rows, paragraphs."""
    spec = json.loads((DEMO_DATA / "report.json").read_text(encoding="utf-8"))
    fields = dict(spec["report"])
    fields.pop("organisation", None)
    for key in ("period_start", "period_end", "compare_start", "compare_end", "meeting_date"):
        fields[key] = date.fromisoformat(fields[key]) if fields.get(key) else None
    report = Report.objects.create(organisation=organisation, **fields)
    workflow.report_record_created(report=report, by=editor)
    kpis = {k.code: k for k in Kpi.objects.all()}
    for position, section_spec in enumerate(spec["sections"], start=1):
        section = Section.objects.create(
            report=report,
            position=position * 10,
            kind=section_spec["kind"],
            heading=section_spec["heading"],
            intro=section_spec.get("intro", ""),
        )
        hidden = set(section_spec.get("charts_hidden", []))
        peers = section_spec.get("peer_rows", {})  # KPI code -> peer group name
        standings = section_spec.get("standing_rows", {})  # KPI code -> "national" or a group name
        for row_position, code in enumerate(section_spec.get("kpi_codes", []), start=1):
            KpiRow.objects.create(
                section=section,
                kpi=kpis[code],
                position=row_position * 10,
                show_chart=code not in hidden,
                peer_group=PeerGroup.objects.get(name=peers[code]) if code in peers else None,
                standing_group=standing_group_for(standings[code]) if code in standings else None,
            )
        paragraphs = Paragraph.objects.bulk_create(
            [
                Paragraph(section=section, position=i * 10, text=text)
                for i, text in enumerate(section_spec.get("paragraphs", []), start=1)
            ]
        )
        SourceNote.objects.bulk_create(
            SourceNote(
                paragraph=paragraphs[note["paragraph"] - 1],
                figure=note["figure"],
                occurrence=note.get("occurrence", 1),
                note=note["note"],
            )
            for note in section_spec.get("source_notes", [])
        )
    workflow.report_record_edit(report=report, by=editor)
    return report


def load_demo_report(*, editor, reviewer, out) -> str | None:
    """Load everything and publish version 1; return the report's reader URL."""
    existing = Report.objects.filter(slug=DEMO_SLUG).first()
    if existing and existing.publications.exists():
        out.write(
            f"The demo report is already loaded ({existing.get_status_display().lower()}); left as it is."
        )
        return existing.get_absolute_url()
    if existing:
        # A half-finished earlier run (e.g. interrupted): start the report again.
        existing.delete()

    organisation = home_force()
    import_glossary(editor, out)
    import_catalogue(editor, out)
    import_monthly_figures(editor, out)
    import_peer_figures(editor, out)
    import_national_figures(editor, out)
    report = write_report(editor, organisation)
    out.write(f"Report written by {editor.username}: {report.title}")
    workflow.report_submit(report=report, by=editor, comment="Year-end report for the Panel.")
    out.write(f"Submitted for review by {editor.username}.")
    publication = workflow.report_approve(report=report, by=reviewer, comment=APPROVAL_COMMENT).publication
    publication.refresh_from_db()
    out.write(
        f"Approved by {reviewer.username}: version {publication.version} "
        f"({publication.get_render_status_display().lower()})."
    )
    if publication.render_status != Publication.RenderStatus.PUBLISHED:
        out.write("Rendering is queued: start a worker (celery -A portal worker) to publish it.")
    return report.get_absolute_url()
