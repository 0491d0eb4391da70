"""Edits made outside a report that change what an open draft would show.

A glossary term, a KPI's catalogue entry, a figure, a force, a peer group or a population
is shared by every report that uses it. Whoever changes one while a draft that shows it is
open (a draft, or in review) becomes a contributor of that draft, so `workflow.is_author`
keeps them from approving it: nobody approves a draft they wrote, edited or submitted, even
from the glossary.

kpis and glossary send signals (`kpis.signals`, `glossary.signals`) inside the
transaction that made the change, with the acting user; `ReportsConfig.ready` connects
the receivers below. The approval itself is separately protected by the checksum of what
the reviewer saw (`workflow.report_approve`).
"""

from __future__ import annotations

from django.db.models import Q

from glossary.linking import GlossaryEntry, mentions

from .models import KpiRow, Report, Section

OPEN = (Report.Status.DRAFT, Report.Status.IN_REVIEW)


def record_contributor(report_ids, *, by) -> list[int]:
    """Add `by` to the contributors of those reports that are still open; their ids."""
    if not getattr(by, "pk", None):
        return []  # a command run without a user: nobody to record
    # Locked, so an approval running now either finishes first (with the content it
    # checked) or starts after this change and sees it.
    ids = list(
        Report.objects.select_for_update()
        .filter(pk__in=set(report_ids), status__in=OPEN)
        .values_list("pk", flat=True)
    )
    through = Report.contributors.through
    through.objects.bulk_create([through(report_id=pk, user_id=by.pk) for pk in ids], ignore_conflicts=True)
    return ids


def drafts_showing_kpis(kpi_ids) -> list[int]:
    rows = KpiRow.objects.filter(kpi_id__in=kpi_ids, section__report__status__in=OPEN)
    return list(rows.values_list("section__report_id", flat=True).distinct())


def drafts_showing_figures(kpi_ids, organisation_ids) -> list[int]:
    """Drafts with a row of one of these KPIs for one of these forces, or ranked among peers."""
    rows = KpiRow.objects.filter(kpi_id__in=kpi_ids, section__report__status__in=OPEN).filter(
        Q(section__report__organisation_id__in=organisation_ids)
        | Q(peer_group__isnull=False)
        | Q(standing_group__isnull=False)
    )
    return list(rows.values_list("section__report_id", flat=True).distinct())


def drafts_showing_peers(organisation_ids, peer_group_ids) -> list[int]:
    """Drafts of one of these forces (its name, its rates), or ranking it or one of these groups."""
    rows = KpiRow.objects.filter(section__report__status__in=OPEN).filter(
        Q(peer_group_id__in=peer_group_ids)
        | Q(peer_group__members__in=organisation_ids)
        | Q(standing_group_id__in=peer_group_ids)
        | Q(standing_group__members__in=organisation_ids)
    )
    ids = set(rows.values_list("section__report_id", flat=True))
    own = Report.objects.filter(status__in=OPEN, organisation_id__in=organisation_ids)
    return sorted(ids | set(own.values_list("pk", flat=True)))


def drafts_showing_terms(entries: list[GlossaryEntry]) -> list[int]:
    """Drafts listing every term in an appendix, or whose text uses one of these names."""
    out = []
    for report in Report.objects.filter(status__in=OPEN).prefetch_related("sections__paragraphs"):
        sections = list(report.sections.all())
        lists_all = report.glossary_mode == Report.GlossaryMode.ALL and any(
            s.kind == Section.Kind.GLOSSARY for s in sections
        )
        texts = [s.intro for s in sections] + [p.text for s in sections for p in s.paragraphs.all()]
        if lists_all or any(mentions(entries, text) for text in texts):
            out.append(report.pk)
    return out


def on_catalogue_changed(sender, *, by, kpi_ids, **kwargs) -> None:
    record_contributor(drafts_showing_kpis(kpi_ids), by=by)


def on_observations_changed(sender, *, by, kpi_ids, organisation_ids, **kwargs) -> None:
    record_contributor(drafts_showing_figures(kpi_ids, organisation_ids), by=by)


def on_peers_changed(sender, *, by, organisation_ids, peer_group_ids, **kwargs) -> None:
    record_contributor(drafts_showing_peers(organisation_ids, peer_group_ids), by=by)


def on_terms_changed(sender, *, by, entries, **kwargs) -> None:
    record_contributor(drafts_showing_terms(entries), by=by)
