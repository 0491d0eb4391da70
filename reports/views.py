"""Reader pages for published reports. Every view checks the reader's rights first."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from . import access, selectors
from .models import Report


def _report_or_404(request, slug):
    report = get_object_or_404(Report, slug=slug)
    if not access.can_read_report(request.user, report):
        if not request.user.is_authenticated:
            # The login page, not a 404: a signed-in member may read it.
            return None
        raise Http404("No report here.")
    return report


@require_GET
def report_latest(request, slug):
    report = _report_or_404(request, slug)
    if report is None:
        return redirect(f"/accounts/login/?next={request.path}")
    publication = selectors.live_publications().filter(report=report).order_by("-version").first()
    if publication is None:
        raise Http404("No report here.")
    return _render_publication(request, publication)


@require_GET
def report_version(request, slug, version):
    report = _report_or_404(request, slug)
    if report is None:
        return redirect(f"/accounts/login/?next={request.path}")
    publication = get_object_or_404(selectors.live_publications(), report=report, version=version)
    return _render_publication(request, publication)


def _render_publication(request, publication):
    return render(
        request,
        "reports/report_page.html",
        {"publication": publication, "snapshot": publication.snapshot},
    )
