from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reports import selectors

from .caching import mark_not_stored
from .health import run_checks


@require_GET
def home(request):
    """The published reports this visitor may read, newest first, filtered and searched."""
    listing = selectors.publication_listing(
        user=request.user, year=request.GET.get("year", ""), query=request.GET.get("q", "")
    )
    response = render(request, "portal/home.html", listing)
    if request.user.is_authenticated:
        # A member's list holds panel-only titles: not for the browser to keep.
        mark_not_stored(response)
    return response


@never_cache
@require_GET
def healthz(request):
    healthy, results = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )


@require_GET
def accessibility(request):
    return render(request, "portal/accessibility.html")
