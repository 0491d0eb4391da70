"""The draft PDF of a report's working copy, in one click.

"Draft PDF" on the report page posts here: the render starts (in a worker when there is a
broker, in-process otherwise). If the PDF is already made by the time the request ends,
the browser is sent straight to the download; otherwise to a page that says it is being
made, checks every two seconds (static/js/draft-pdf.js, announcing progress to screen
readers) and starts the download when it is ready. Without JavaScript the page has a
link to check again.
"""

from datetime import UTC, datetime

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import artifacts, tasks
from .admin_views import admin_page, report_for_staff


def _made_at(name: str | None) -> datetime | None:
    return default_storage.get_modified_time(name) if name else None


def _since(request) -> datetime | None:
    """?since=<seconds since the epoch>: when the render now awaited was asked for."""
    try:
        return datetime.fromtimestamp(int(request.GET.get("since", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _ready(report, since: datetime | None) -> tuple[str | None, datetime | None]:
    """The newest draft PDF, and when it was made, if it was made after `since`."""
    latest = artifacts.latest_draft_pdf(report)
    made_at = _made_at(latest)
    if latest and (since is None or (made_at and made_at >= since)):
        return latest, made_at
    return None, made_at


def draft_pdf(request, pk):
    report = report_for_staff(request, pk)
    page = reverse("admin:reports_report_draft_pdf", args=[report.pk])
    if request.method == "POST":
        started = timezone.now().replace(microsecond=0)
        try:
            tasks.draft_pdf_render.delay(report.pk, request.user.pk)
        except Exception as exc:  # tell staff instead of a server error
            messages.error(request, f"The draft PDF could not be made: {exc}")
            return redirect(page)
        if _ready(report, started)[0]:
            return redirect(f"{page}?download=1")
        return redirect(f"{page}?since={int(started.timestamp())}")
    if request.GET.get("download"):
        return _download(request, report, page)
    since = _since(request)
    if request.GET.get("status"):
        name, _ = _ready(report, since)
        return JsonResponse(
            {"ready": bool(name), "download": f"{page}?download=1" if name else None},
            headers={"Cache-Control": "private, no-store"},
        )
    latest = artifacts.latest_draft_pdf(report)
    context = {
        "report": report,
        "latest": latest,
        "made_at": _made_at(latest),
        "waiting": since is not None and not _ready(report, since)[0],
        "since": int(since.timestamp()) if since else "",
        "title": f"Draft PDF of “{report.title}”",
    }
    return admin_page(request, "reports/admin/draft_pdf.html", context)


def _download(request, report, page: str):
    latest = artifacts.latest_draft_pdf(report)
    if not latest:
        messages.error(request, "No draft PDF has been made of this report yet.")
        return redirect(page)
    response = FileResponse(default_storage.open(latest, "rb"), content_type="application/pdf")
    stamp = latest.rsplit("/", 1)[-1][:15]
    response["Content-Disposition"] = f'attachment; filename="{report.slug}-DRAFT-{stamp}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
