"""Edits the portal makes to a draft for an editor: a KPI row's drafted sentence added as
its section's last paragraph.

One transaction each, under the rules every edit of a draft keeps: only a draft changes
(`workflow.report_check_editable`), the editor becomes a contributor and so may not
approve it, and the report's and the section's edit versions go up, so a form opened
before the edit is refused (`portal.edit_versions`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.edit_versions import record_edit

from . import workflow
from .drafting import draft_sentence
from .models import KpiRow, Paragraph, Report, Section
from .snapshot import build_snapshot

# Error message (tests assert this exact text).
NO_SENTENCE = "No sentence could be drafted for this KPI."
# Gap left between paragraph positions, so one can be put between two others.
POSITION_STEP = 10


def snapshot_rows_by_code(snapshot: dict) -> dict[str, dict]:
    """A snapshot's KPI rows by KPI code (a code shown twice: its last row)."""
    return {row["kpi"]["code"]: row for section in snapshot["sections"] for row in section["rows"]}


def kpi_row_sentence(snapshot: dict, kpi_row: KpiRow) -> str | None:
    """The drafted sentence of a performance section's KPI row; None where there is none."""
    if kpi_row.section.kind != Section.Kind.PERFORMANCE:
        return None
    row = snapshot_rows_by_code(snapshot).get(kpi_row.kpi.code)
    return draft_sentence(row) if row else None


@transaction.atomic
def add_drafted_sentence(*, kpi_row: KpiRow, by) -> Paragraph:
    """Add the row's drafted sentence as the last paragraph of its section, as `by`.

    Raises PermissionDenied when `by` may not edit the report now, ValidationError when
    no sentence can be drafted; nothing is written then.
    """
    # Section, then report: the order the section's own form locks them in.
    section = Section.objects.select_for_update().get(pk=kpi_row.section_id)
    report = Report.objects.select_for_update().get(pk=section.report_id)
    workflow.report_check_editable(report=report, by=by)
    text = kpi_row_sentence(build_snapshot(report), kpi_row)
    if not text:
        raise ValidationError(NO_SENTENCE)
    last = section.paragraphs.order_by("-position").first()
    paragraph = Paragraph.objects.create(
        section=section, text=text, position=(last.position + POSITION_STEP) if last else POSITION_STEP
    )
    workflow.report_record_edit(report=report, by=by)
    record_edit(Section, [section.pk], by=by)
    return paragraph
