"""Reads for the reader site: which published versions a visitor may see."""

from django.db.models import OuterRef, Q, Subquery

from .access import can_read_restricted
from .models import Publication, Report


def live_publications():
    """Versions readers can open: rendered and past their publication time."""
    return Publication.objects.filter(
        render_status=Publication.RenderStatus.PUBLISHED, published_at__isnull=False
    )


def readable_publications(user):
    qs = live_publications().select_related("report")
    if not can_read_restricted(user):
        qs = qs.filter(report__audience=Report.Audience.PUBLIC).exclude(
            report__marking=Report.Marking.OFFICIAL_SENSITIVE
        )
    return qs


def latest_per_report(qs):
    newest = live_publications().filter(report=OuterRef("report")).order_by("-version").values("version")[:1]
    return qs.filter(version=Subquery(newest))


def publication_listing(*, user, year: str = "", query: str = "") -> dict:
    """The home page: latest readable version of each report, newest first."""
    qs = latest_per_report(readable_publications(user))
    # Financial years (April to March) that the readable reports start in.
    years = sorted(
        {d.year if d.month >= 4 else d.year - 1 for d in qs.dates("report__period_start", "month")},
        reverse=True,
    )
    selected_year = int(year) if year.isdigit() else None
    if selected_year:
        qs = qs.filter(
            report__period_start__gte=f"{selected_year}-04-01",
            report__period_start__lte=f"{selected_year + 1}-03-31",
        )
    query = query.strip()[:200]
    if query:
        qs = qs.filter(Q(report__title__icontains=query) | Q(search_text__icontains=query))
    publications = list(qs.order_by("-published_at", "-pk"))
    return {
        "publications": publications,
        "years": years,
        "selected_year": selected_year,
        "query": query,
        "filtered": bool(selected_year or query),
    }
