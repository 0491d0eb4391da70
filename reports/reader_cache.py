"""What the reader site remembers between requests, in Django's cache (the `reader` alias
of settings.CACHES: local memory by default, Redis when REDIS_URL is set, so every web
server shares it).

Everything kept here is keyed by what makes it unique, so an entry can never be served for
something else and nothing needs deleting when a version changes:

- a version's stored body HTML, by its SHA-256 (`Publication.html_sha256`);
- what is worked out from a version's frozen snapshot (chart data, figures files, the
  feedback choices), by the version's id and publication time;
- an anonymous reader's whole page, by everything that could change it: the address, the
  newest version, and the version's state (id, number, publication and withdrawal times,
  body checksum, the report's audience and marking);
- the versions' states of a report, for STATE_TTL seconds: the one thing here that reads
  rows that change. A withdrawal or a tighter audience reaches anonymous readers within
  that time (downloads may be kept publicly for minutes anyway); then the page key changes
  and the remembered page is no longer found.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import time

from django.core.cache import caches

from . import selectors

READER_CACHE = "reader"
STATE_TTL = 1.0


def reader_cache():
    return caches[READER_CACHE]


# --------------------------------------------------------------------------- frozen body
def stored_body(digest: str) -> str | None:
    """The body HTML remembered under its SHA-256, or None."""
    return reader_cache().get(f"body:{digest}")


def remember_body(digest: str, html: str) -> None:
    reader_cache().set(f"body:{digest}", html)


# --------------------------------------------------------------------------- from the snapshot
def derived(publication, what: str, build):
    """`build(snapshot)` for this published version, worked out once (it never changes)."""
    published = publication.published_at.isoformat() if publication.published_at else "-"
    key = f"derived:{publication.pk}:{published}:{what}"
    cache = reader_cache()
    value = cache.get(key)
    if value is None:
        value = build(selectors.publication_snapshot(publication))
        cache.set(key, value)
    return value


# --------------------------------------------------------------------------- version states
def version_states(slug: str) -> list[tuple]:
    """`selectors.live_version_states(slug)`, reused for STATE_TTL seconds.

    The expiry is kept with the value, so it holds to the fraction of a second whatever
    the backend's own timeouts round to. Unknown addresses are not remembered, so they
    cannot fill the cache.
    """
    cache = reader_cache()
    key = f"states:{hashlib.sha256(slug.encode()).hexdigest()}"
    hit = cache.get(key)
    if hit is not None and hit[0] > time.time():
        return hit[1]
    states = selectors.live_version_states(slug=slug)
    if states and STATE_TTL > 0:
        cache.set(key, (time.time() + STATE_TTL, states), timeout=math.ceil(STATE_TTL))
    return states


def forget_version_states(slug: str) -> None:
    """The next request reads the versions' states again (after a change it must see)."""
    reader_cache().delete(f"states:{hashlib.sha256(slug.encode()).hexdigest()}")


# --------------------------------------------------------------------------- anonymous pages
def page_key(path: str, newest_version: int, state: tuple) -> str:
    """The key of an anonymous reader's page: a digest of everything that could change it."""
    parts = repr((path, newest_version, *state))
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def remembered_page(key: str) -> tuple[bytes, bytes] | None:
    """(page, gzipped page) remembered under `key`, or None."""
    return reader_cache().get(key)


def remember_page(key: str, content: bytes) -> None:
    """Keep the page and its gzipped copy: compressed once here, not on every request.

    Only for a page that holds no secret (no CSRF token, nothing personal): compressing a
    page with a secret in it would open it to BREACH-style attacks (reports.views).
    """
    reader_cache().set(key, (content, gzip.compress(content, mtime=0)))
