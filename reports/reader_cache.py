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

Pages and what is worked out from snapshots also depend on the code that made them (the
templates, the static files' hashed names, the builders), and the cache outlives a
deployment: their keys include `code_release()`, a digest of that code, so servers running
the same release share entries and a new release never serves an old one's page.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from . import selectors

READER_CACHE = "reader"
STATE_TTL = 1.0
# What a page or a download is made by: the project's code and templates, and the static
# files' manifest (hashed names) when there is one.
CODE_FOLDERS = ("portal", "reports", "kpis", "glossary", "templates")
CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".svg", ".css", ".js"}
STATIC_MANIFEST = "staticfiles.json"


def reader_cache():
    return caches[READER_CACHE]


@functools.cache  # the files it reads do not change while the process runs
def code_release() -> str:
    """A digest of the code that makes pages and downloads, the same on every server of a release."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    files = sorted(
        path
        for folder in CODE_FOLDERS
        for path in (base / folder).rglob("*")
        if path.suffix in CODE_SUFFIXES and path.is_file() and "migrations" not in path.parts
    )
    manifest = Path(settings.STATIC_ROOT) / STATIC_MANIFEST
    for path in [*files, manifest] if manifest.is_file() else files:
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    key = f"derived:{code_release()}:{publication.pk}:{published}:{what}"
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
    key = f"states:{slug}"  # a slug is letters, digits, hyphens and underscores: a safe key
    hit = cache.get(key)
    if hit is not None and hit[0] > time.time():
        return hit[1]
    states = selectors.live_version_states(slug=slug)
    if states and STATE_TTL > 0:
        cache.set(key, (time.time() + STATE_TTL, states), timeout=math.ceil(STATE_TTL))
    return states


def forget_version_states(slug: str) -> None:
    """The next request reads the versions' states again (after a change it must see)."""
    reader_cache().delete(f"states:{slug}")


# --------------------------------------------------------------------------- anonymous pages
def page_key(path: str, newest_version: int, state: tuple) -> str:
    """The key of an anonymous reader's page: a digest of everything that could change it."""
    parts = repr((code_release(), path, newest_version, *state))
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def remembered_page(key: str, *, gzipped: bool) -> bytes | None:
    """The page remembered under `key` (its gzipped copy if asked for), or None.

    The two copies are kept apart so a request reads only the one it sends (64 KB plain,
    about 12 KB compressed).
    """
    return reader_cache().get(f"{key}:gz" if gzipped else key)


def remember_page(key: str, content: bytes) -> None:
    """Keep the page and its gzipped copy: compressed once here, not on every request.

    Only for a page that holds no secret (no CSRF token, nothing personal): compressing a
    page with a secret in it would open it to BREACH-style attacks (reports.views).
    """
    reader_cache().set_many({key: content, f"{key}:gz": gzip.compress(content, mtime=0)})
