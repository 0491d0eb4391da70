"""Periodic housekeeping of the portal itself, run by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from .spreadsheet_safety import sweep_pending_uploads

log = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=90, time_limit=120)
def pending_uploads_sweep() -> list[str]:
    """Delete previewed spreadsheet uploads that no confirm can use any more.

    Also run by `manage.py sweep_import_uploads` (cron) and by every new preview.
    """
    removed = sweep_pending_uploads()
    if removed:
        log.info("Sweep: %d abandoned import upload(s) deleted", len(removed))
    return removed
