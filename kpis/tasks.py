"""Celery tasks for kpis: fetching national files on a schedule (settings.NATIONAL_DATA_URLS,
NATIONAL_DATA_SCHEDULE), through the same function as `manage.py fetch_national_data`."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from .national.fetch import FetchRefused, fetch_and_import

log = logging.getLogger(__name__)


@shared_task(name="kpis.tasks.fetch_national_data")
def fetch_national_data(url: str) -> dict:
    """Fetch and import one national file; the result says what happened (JSON-safe)."""
    try:
        fetched = fetch_and_import(url)
    except FetchRefused as exc:
        log.warning("National data from %s not fetched: %s", url, exc)
        return {"url": url, "ok": False, "summary": str(exc), "problems": []}
    outcome = fetched.outcome
    problems = [str(p) for p in outcome.problems]
    if not outcome.ok:
        log.warning("National data from %s not imported: %s", url, "; ".join(problems[:5]))
    return {"url": url, "ok": outcome.ok, "summary": outcome.summary(), "problems": problems}


@shared_task(name="kpis.tasks.fetch_national_data_all")
def fetch_national_data_all() -> list[dict]:
    """Every address in settings.NATIONAL_DATA_URLS, one after another (run by Celery beat)."""
    return [fetch_national_data(url) for url in settings.NATIONAL_DATA_URLS]
