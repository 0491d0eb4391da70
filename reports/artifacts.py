"""Where rendered files are kept: their names in the artifact storage, their checksums,
and a write that never leaves a name holding half a file.

Publications keep `publications/<slug>/v<N>/report.pdf|html`; the preview's draft PDFs
keep `drafts/<slug>/<timestamp>.pdf`.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import Publication, Report


def artifact_name(publication: Publication, filename: str) -> str:
    return f"publications/{publication.report.slug}/v{publication.version}/{filename}"


def sha256_hex(data: bytes) -> str:
    """The checksum a publication records for each file (and the reader's ETag)."""
    return hashlib.sha256(data).hexdigest()


def store_complete(name: str, data: bytes, *, storage=None) -> str:
    """Write `data` under exactly `name`, so that `name` only ever holds a complete file.

    Only the storage API is used: the configured storage replaces a name whole (an object
    store shows an object once uploaded; portal.storage.ArtifactFileSystemStorage renames
    a finished temporary file over the name). Unchanged content is left alone, so a second
    render rewrites nothing.
    """
    storage = storage or default_storage
    if storage.exists(name):
        with storage.open(name, "rb") as existing:
            if sha256_hex(existing.read()) == sha256_hex(data):
                return name
        if storage.get_available_name(name) != name:
            storage.delete(name)  # a storage that keeps both would give ours another name
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        raise RuntimeError(f"Storage saved {saved!r} instead of {name!r}.")
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
