"""Where rendered reports (frozen pages, PDFs) and pending imports are kept.

Two kinds of storage, chosen by environment variables (`artifact_storage`):

- a local folder, MEDIA_ROOT (the default; a shared volume works for several machines);
- an S3-compatible bucket through django-storages, named by `STORAGE_URL`
  (`s3://bucket/optional/prefix?endpoint_url=https://host&region_name=eu-west-2`) or by
  the `AWS_STORAGE_BUCKET_NAME` family of variables. Keys come from `AWS_ACCESS_KEY_ID` and
  `AWS_SECRET_ACCESS_KEY`, or from wherever boto3 finds them (an instance role).

Either way the code reads and writes only through Django's storage API, and a name only
ever holds a complete file: an object store makes an object visible once it is uploaded,
and `ArtifactFileSystemStorage` writes a temporary file beside the name and renames it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

FILESYSTEM = "portal.storage.ArtifactFileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
URL_OPTIONS = {"endpoint_url", "region_name", "addressing_style"}
ADDRESSING_STYLES = {"auto", "path", "virtual"}
URL_EXAMPLE = "s3://bucket-name?endpoint_url=https://s3.example.org&region_name=eu-west-2"


class ArtifactFileSystemStorage(FileSystemStorage):
    """A folder that behaves like a bucket: saving a name replaces it whole.

    Django's own file storage gives a taken name a new one (a second render would write
    "report_x7Yz.pdf") and writes in place (a reader could see half a file). Here the
    bytes go to a temporary file in the same folder, which is renamed over the name, an
    atomic step on POSIX, so the name holds the old file or the new one, never part of one.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    def _save(self, name, content):
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.partial-{os.getpid()}-{secrets.token_hex(6)}")
        # 0o666 less the umask, as Django's own storage creates files.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, 0o666)
        try:
            with os.fdopen(descriptor, "wb") as fh:
                for chunk in content.chunks():
                    fh.write(chunk.encode() if isinstance(chunk, str) else chunk)
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return os.path.relpath(target, self.location)


def artifact_storage(environ: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry the environment asks for (see the module docstring)."""
    url = environ.get("STORAGE_URL", "").strip()
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if url and bucket:
        raise ImproperlyConfigured(
            "Both STORAGE_URL and AWS_STORAGE_BUCKET_NAME are set: choose the bucket with one of them."
        )
    if url:
        return storage_from_url(url)
    if bucket:
        return s3_storage(
            bucket,
            location=environ.get("AWS_LOCATION", ""),
            endpoint_url=environ.get("AWS_S3_ENDPOINT_URL", ""),
            region_name=environ.get("AWS_S3_REGION_NAME", ""),
            addressing_style=environ.get("AWS_S3_ADDRESSING_STYLE", ""),
        )
    return {"BACKEND": FILESYSTEM}


def storage_from_url(url: str) -> dict:
    """The storage a STORAGE_URL names; a clear ImproperlyConfigured for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            f"STORAGE_URL {url!r} is not an s3:// URL with a bucket name, like {URL_EXAMPLE}"
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "STORAGE_URL must not carry keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - URL_OPTIONS)
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL has unknown option(s) {', '.join(unknown)}; "
            f"it takes {', '.join(sorted(URL_OPTIONS))}, like {URL_EXAMPLE}"
        )
    options = {key: values[-1] for key, values in query.items()}
    # The bucket is the URL's host: urlsplit lowercases it, so take it as written.
    bucket = parts.netloc.rsplit("@", 1)[-1]
    return s3_storage(bucket, location=parts.path.strip("/"), **options)


def s3_storage(
    bucket: str,
    *,
    location: str = "",
    endpoint_url: str = "",
    region_name: str = "",
    addressing_style: str = "",
) -> dict:
    """django-storages' S3Storage for one bucket, with timeouts that suit a health probe."""
    from botocore.config import Config

    if endpoint_url and urlsplit(endpoint_url).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"The S3 endpoint {endpoint_url!r} is not an http(s):// URL.")
    # A bucket at an address of its own (MinIO, a local server) is usually reached by path.
    addressing_style = addressing_style or ("path" if endpoint_url else "auto")
    if addressing_style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"S3 addressing style {addressing_style!r} is not one of {', '.join(sorted(ADDRESSING_STYLES))}."
        )
    options = {
        "bucket_name": bucket,
        "location": location.strip("/"),
        "endpoint_url": endpoint_url or None,
        "region_name": region_name or None,
        "addressing_style": addressing_style,
        # Reports are private and served only by views that check rights: no public ACL,
        # no signed links handed out, and a render replaces its own files.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "client_config": Config(
            connect_timeout=3,
            read_timeout=20,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": addressing_style},
        ),
    }
    return {"BACKEND": S3, "OPTIONS": options}

