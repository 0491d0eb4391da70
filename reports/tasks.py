"""Celery tasks for publications: thin wrappers that load by id and call reports.rendering.

Reliability comes from the settings and the options here: late acknowledgement with
reject_on_worker_lost (a worker killed mid-render leaves the task on the queue), prefetch 1,
retries with backoff, a time limit, and a memory cap. The memory cap is two-fold: in a
worker each render runs under an address-space limit (rendering.memory_cap: RLIMIT_AS set
to settings.RENDER_MEMORY_LIMIT_BYTES for the render and lifted after it), so a runaway
document fails with MemoryError, recorded, instead of starving the machine; and
CELERY_WORKER_MAX_MEMORY_PER_CHILD replaces a pool process that has grown too large.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from . import rendering
from .models import Publication, Report

log = logging.getLogger(__name__)

RENDER_TIME_LIMIT = 180  # seconds; the soft limit lets the failure be recorded first
RENDER_SOFT_TIME_LIMIT = 150
MAX_RENDER_ATTEMPTS = rendering.MAX_RENDER_ATTEMPTS
# A queued or rendering version untouched this long is assumed lost (broker down, crash).
STALE_AFTER = timedelta(minutes=5)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RENDER_ATTEMPTS - 1,
    default_retry_delay=5,
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_SOFT_TIME_LIMIT,
)
def publication_render(self, publication_id: int) -> None:
    """Render and store version N of a report, then publish it (idempotent)."""
    try:
        publication = Publication.objects.select_related("report", "approved_by").get(pk=publication_id)
    except Publication.DoesNotExist:
        log.warning("Publication %s no longer exists; nothing to render.", publication_id)
        return
    where = _describe(publication)
    log.info("Render of %s started (attempt %s)", where, self.request.retries + 1)
    started = time.monotonic()
    try:
        # Capped only in a worker: the limit is per process, and an eager run is the web process.
        limit = None if self.request.is_eager else settings.RENDER_MEMORY_LIMIT_BYTES
        rendering.render_and_store(publication, memory_limit=limit)
    except Exception as exc:
        publication.refresh_from_db(fields=["render_error"])
        log.error("Render of %s failed: %s", where, publication.render_error or exc)
        # The failure is already recorded; try again later (exponential backoff).
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 300)) from exc
    publication.refresh_from_db(fields=["render_status"])
    log.info("Render of %s done in %.1fs: %s", where, time.monotonic() - started, publication.render_status)


def _describe(publication: Publication) -> str:
    """'report <slug> v<N> approved by <user>', for log lines."""
    approver = publication.approved_by.get_username() if publication.approved_by_id else "nobody"
    return f"report {publication.report.slug} v{publication.version} approved by {approver}"


@shared_task(acks_late=True, soft_time_limit=90, time_limit=120)
def publication_sweep() -> dict:
    """Enqueue every approved version not yet rendered; publish rendered ones now due.

    Run by Celery beat and by `manage.py sweep_publications` (cron): it is how renders
    missed while the broker was down get done.
    """
    result = sweep_publications()
    if result["enqueued"] or result["published"] or result["queue_unreachable"]:
        log.info(
            "Sweep: %d render(s) queued again, %d version(s) published%s",
            len(result["enqueued"]),
            len(result["published"]),
            ", task queue unreachable" if result["queue_unreachable"] else "",
        )
    return result


def sweep_publications(*, now=None, enqueue=None) -> dict:
    """The sweep itself (also called synchronously by the management command).

    Returns the ids enqueued and published, and whether the task queue could not be
    reached (the versions left waiting are picked up by the next sweep).
    """
    from . import workflow

    now = now or timezone.now()
    enqueue = enqueue or (lambda pk: publication_render.delay(pk))
    stale = now - STALE_AFTER
    waiting = Publication.objects.filter(
        Q(
            render_status__in=[Publication.RenderStatus.QUEUED, Publication.RenderStatus.RENDERING],
            approved_at__lte=stale,
        )
        | Q(render_status=Publication.RenderStatus.FAILED, render_attempts__lt=MAX_RENDER_ATTEMPTS)
    ).order_by("approved_at", "pk")
    enqueued, unreachable = [], False
    for pk in waiting.values_list("pk", flat=True):
        try:
            enqueue(pk)
        except Exception as exc:  # noqa: BLE001 - broker still down: the next sweep tries again
            log.warning("Sweep could not enqueue publication %s: %s", pk, exc)
            unreachable = True
            break
        enqueued.append(pk)
    due = Publication.objects.filter(
        render_status=Publication.RenderStatus.RENDERED, publish_at__lte=now
    ).order_by("publish_at", "pk")
    published = []
    for publication in due:
        workflow.publication_publish(publication=publication)
        published.append(publication.pk)
    return {"enqueued": enqueued, "published": published, "queue_unreachable": unreachable}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=2,
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_SOFT_TIME_LIMIT,
)
def draft_pdf_render(self, report_id: int, requested_by_id: int | None = None) -> str:
    """Render a report's working copy as a DRAFT-watermarked PDF; returns the stored name."""
    report = Report.objects.get(pk=report_id)
    limit = None if self.request.is_eager else settings.RENDER_MEMORY_LIMIT_BYTES
    with rendering.memory_cap(limit):
        pdf = rendering.render_draft_pdf(report)
    name = draft_pdf_name(report)
    rendering.store_complete(name, pdf)
    log.info("Draft PDF of %s for user %s stored at %s", report.slug, requested_by_id, name)
    return name


def draft_pdf_name(report: Report, *, at=None) -> str:
    at = at or timezone.now()
    return f"drafts/{report.slug}/{at:%Y%m%dT%H%M%S%f}.pdf"


def latest_draft_pdf(report: Report) -> str | None:
    """The newest stored draft PDF of a report, if any (for the staff download view)."""
    try:
        _, files = default_storage.listdir(f"drafts/{report.slug}")
    except (FileNotFoundError, NotImplementedError):
        return None
    pdfs = sorted(f for f in files if f.endswith(".pdf") and ".partial-" not in f)
    return f"drafts/{report.slug}/{pdfs[-1]}" if pdfs else None
