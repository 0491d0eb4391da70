"""Celery tasks for publications: thin entry points that load by id and call the services.

The registered names (`reports.tasks.publication_render`, `…publication_sweep`,
`…draft_pdf_render`) are what queued messages and the beat schedule name: keep them.

Reliability comes from the settings and the options here: late acknowledgement with
reject_on_worker_lost (a worker killed mid-render leaves the task on the queue), prefetch 1,
retries with backoff, a time limit, and a memory cap. The memory cap is two-fold: in a
worker each render runs under an address-space limit (render_guards.memory_cap: RLIMIT_AS
set to settings.RENDER_MEMORY_LIMIT_BYTES for the render and lifted after it), so a runaway
document fails with MemoryError, recorded, instead of starving the machine; and
CELERY_WORKER_MAX_MEMORY_PER_CHILD replaces a pool process that has grown too large.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

from . import artifacts, publishing, rendering
from .models import Publication, Report
from .render_guards import memory_cap

log = logging.getLogger(__name__)

RENDER_TIME_LIMIT = 180  # seconds; the soft limit lets the failure be recorded first
RENDER_SOFT_TIME_LIMIT = 150


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=publishing.MAX_RENDER_ATTEMPTS - 1,
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
        publishing.render_and_store(publication, memory_limit=limit)
    except Exception as exc:
        publication.refresh_from_db(fields=["render_error", "render_status"])
        log.error("Render of %s failed: %s", where, publication.render_error or exc)
        # The failure is already recorded; try again later (exponential backoff), unless
        # it was given up (publishing.publication_render_failed after the last attempt).
        if self.request.is_eager or publication.render_status == Publication.RenderStatus.ABANDONED:
            raise
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 300)) from exc
    publication.refresh_from_db(fields=["render_status"])
    log.info("Render of %s done in %.1fs: %s", where, time.monotonic() - started, publication.render_status)


def _describe(publication: Publication) -> str:
    """'report <slug> v<N> approved by <user>', for log lines."""
    approver = publication.approved_by.get_username() if publication.approved_by_id else "nobody"
    return f"report {publication.report.slug} v{publication.version} approved by {approver}"


def enqueue_publication_render(publication_id: int) -> None:
    """Send one render to the task queue (raises when the queue cannot be reached)."""
    publication_render.delay(publication_id)


def sweep_now() -> dict:
    """The sweep, run here and now (`manage.py sweep_publications`, and the beat task)."""
    return publishing.sweep_publications(enqueue=enqueue_publication_render)


@shared_task(acks_late=True, soft_time_limit=90, time_limit=120)
def publication_sweep() -> dict:
    """Enqueue every approved version not yet rendered; publish rendered ones now due.

    Run by Celery beat and by `manage.py sweep_publications` (cron): it is how renders
    missed while the broker was down get done.
    """
    result = sweep_now()
    if result["enqueued"] or result["published"] or result["queue_unreachable"]:
        log.info(
            "Sweep: %d render(s) queued again, %d version(s) published%s",
            len(result["enqueued"]),
            len(result["published"]),
            ", task queue unreachable" if result["queue_unreachable"] else "",
        )
    return result


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
    with memory_cap(limit):
        pdf = rendering.render_draft_pdf(report)
    name = artifacts.draft_pdf_name(report)
    artifacts.store_complete(name, pdf)
    log.info("Draft PDF of %s for user %s stored at %s", report.slug, requested_by_id, name)
    return name
