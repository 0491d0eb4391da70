"""Reads for the reader site: which published versions a visitor may see.

Every function here runs a fixed number of queries whatever the size of the report or
the number of versions. Reader pages never load the whole snapshot just to show the
chrome: the few frozen values they need are read out of the JSON by the database (KT).
"""

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from .access import can_read_restricted, is_staff_reader
from .models import Feedback, Publication, Report

# The frozen values the page chrome and the access rules need, read by the database.
FROZEN_FIELDS = {
    "frozen_title": KT("snapshot__report__title"),
    "frozen_audience": KT("snapshot__report__audience"),
    "frozen_marking": KT("snapshot__report__marking"),
    "frozen_period": KT("snapshot__report__period__long_label"),
}
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 8


def live_publications():
    """Versions readers can open: rendered and past their publication time."""
    return Publication.objects.filter(
        render_status=Publication.RenderStatus.PUBLISHED,
        published_at__isnull=False,
        published_at__lte=timezone.now(),
    )


def _newest_live_version():
    return live_publications().filter(report=OuterRef("report")).order_by("-version").values("version")[:1]


def _restricted_q() -> Q:
    """Restricted now (the report row) or when frozen (the version's snapshot)."""
    return (
        Q(report__audience=Report.Audience.PANEL)
        | Q(report__marking=Report.Marking.OFFICIAL_SENSITIVE)
        | Q(snapshot__report__audience=Report.Audience.PANEL)
        | Q(snapshot__report__marking=Report.Marking.OFFICIAL_SENSITIVE)
    )


def readable_publications(user):
    """Live versions the user may read, with the frozen chrome values annotated."""
    qs = live_publications().select_related("report").annotate(**FROZEN_FIELDS)
    if not can_read_restricted(user):
        qs = qs.exclude(_restricted_q())
    return qs


def latest_per_report(qs):
    return qs.filter(version=Subquery(_newest_live_version()))


def reader_publication(*, slug: str, version: int | None = None) -> Publication | None:
    """One live version of the report at `slug` (the newest when version is None), or None.

    One query. The snapshot is deferred; `latest_version` (the newest live version of the
    same report) and the frozen chrome values are annotated. Rights are checked by the
    caller with `reports.access`.
    """
    qs = (
        live_publications()
        .filter(report__slug=slug)
        .select_related("report")
        .defer("snapshot", "search_text")
        .annotate(latest_version=Subquery(_newest_live_version()), **FROZEN_FIELDS)
    )
    if version is None:
        return qs.order_by("-version").first()
    return qs.filter(version=version).first()


def live_version_states(*, slug: str) -> list[tuple]:
    """(pk, version, published_at, withdrawn_at, html_sha256, audience, marking) of every live
    version of the report at `slug`, newest first: one light query, no models built."""
    return list(
        live_publications()
        .filter(report__slug=slug)
        .order_by("-version")
        .values_list(
            "pk",
            "version",
            "published_at",
            "withdrawn_at",
            "html_sha256",
            "report__audience",
            "report__marking",
        )
    )


def publication_snapshot(publication: Publication) -> dict:
    """The frozen snapshot of a publication loaded with its snapshot deferred (one query)."""
    if "snapshot" in publication.__dict__:
        return publication.snapshot
    return Publication.objects.values_list("snapshot", flat=True).get(pk=publication.pk)


def publication_history(publication: Publication) -> list[dict]:
    """Every live version of the publication's report, newest first (one query)."""
    return list(
        live_publications()
        .filter(report_id=publication.report_id)
        .order_by("-version")
        .values("version", "published_at", "change_note", "withdrawn_at", "withdrawn_reason")
    )


def previous_period_publication(report: Report, *, user=None) -> Publication | None:
    """The newest live version of the same force's report for the period before `report`'s.

    The same kind of period (a year before a year, a quarter before a quarter) that ended
    before this one starts, the latest such period first; withdrawn versions never count.
    With `user`, only a version that user may read (the reviewer's page passes none: staff
    read everything). One query; the snapshot is deferred.
    """
    qs = readable_publications(user) if user is not None else live_publications().select_related("report")
    qs = qs.filter(
        report__organisation_id=report.organisation_id,
        report__period_kind=report.period_kind,
        report__period_end__lt=report.period_start,
        withdrawn_at__isnull=True,
    ).exclude(report_id=report.pk)
    return (
        qs.defer("snapshot", "search_text")
        .order_by("-report__period_end", "-report__period_start", "-version")
        .first()
    )


def member_feedback(*, user, publication: Publication) -> list[Feedback]:
    """What this user asked about any version of this report, with the answers (one query)."""
    if not user.is_authenticated:
        return []
    return list(
        Feedback.objects.filter(author=user, publication__report_id=publication.report_id)
        .annotate(version=F("publication__version"))
        .order_by("-created_at", "-pk")
    )


def publication_listing(*, user, year: str = "", query: str = "") -> dict:
    """The home page: latest readable version of each report, newest first.

    The search matches every word of the query (up to eight) in the frozen title or the
    commentary (`Publication.search_text`, filled at approval; a withdrawn version's
    commentary only for staff).
    """
    qs = latest_per_report(readable_publications(user)).defer("snapshot")
    # Financial years (April to March) that the readable reports start in.
    years = sorted(
        {d.year if d.month >= 4 else d.year - 1 for d in qs.dates("report__period_start", "month")},
        reverse=True,
    )
    year = (year or "").strip()
    selected_year = int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None
    if selected_year:
        qs = qs.filter(
            report__period_start__gte=f"{selected_year}-04-01",
            report__period_start__lte=f"{selected_year + 1}-03-31",
        )
    query = " ".join((query or "").split())[:SEARCH_MAX_LENGTH]
    # A withdrawn version's content is for staff only: a match in it would tell anyone else
    # what the page refuses to show, so for them only its title is searched.
    content_shown = Q() if is_staff_reader(user) else Q(withdrawn_at__isnull=True)
    for word in query.split()[:SEARCH_MAX_WORDS]:
        qs = qs.filter(
            Q(snapshot__report__title__icontains=word) | (Q(search_text__icontains=word) & content_shown)
        )
    publications = list(qs.order_by("-published_at", "-pk"))
    return {
        "publications": publications,
        "years": years,
        "selected_year": selected_year,
        "query": query,
        "filtered": bool(selected_year or query),
    }
