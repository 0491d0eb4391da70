"""Downloading a national file and importing it: `fetch_and_import(url)`.

Behind the `fetch_national_data` command and the `kpis.tasks.fetch_national_data` Celery
task. The download is defensive, because the address is configuration, not code:

- https only, unless `allow_http`; a redirect may not lead to http (or anything else);
- at most `NATIONAL_DATA_MAX_BYTES`: refused by Content-Length before reading, and while
  streaming (the body is read in chunks into a buffer that stops one byte past the limit);
- at most `NATIONAL_DATA_TIMEOUT_SECONDS` in all, and for any one network wait;
- only a spreadsheet, csv or zip, by name (.xlsx, .ods, .csv, .zip, from the
  Content-Disposition header or the address) and by content (a zip signature for the
  first three; text that is not a web page for csv).

What is downloaded is imported through `import_downloaded`, the one place that says which
import entry point national files go through.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from django.conf import settings

from kpis import imports

CHUNK_BYTES = 64 * 1024
EXTENSIONS = (".xlsx", ".ods", ".csv", ".zip")
ZIP_SIGNATURE = b"PK\x03\x04"

NOT_HTTPS = "Only https:// addresses are fetched ({url}); use --allow-http to fetch over plain http."
BAD_SCHEME = "'{url}' is not a web address (http or https)."
REDIRECT_REFUSED = "The server redirected to {url}, which is not https: refused."
TOO_LARGE_DECLARED = "The file is {size:,} bytes; the limit is {limit:,} bytes (NATIONAL_DATA_MAX_BYTES)."
TOO_LARGE_STREAMED = (
    "The file is larger than the limit of {limit:,} bytes (NATIONAL_DATA_MAX_BYTES): stopped reading."
)
TOO_SLOW = "The download took longer than {seconds:,} seconds (NATIONAL_DATA_TIMEOUT_SECONDS): stopped."
HTTP_ERROR = "The server answered {code} {reason} for {url}."
UNREACHABLE = "Could not reach {url}: {reason}."
NOT_A_SPREADSHEET_NAME = (
    "'{name}' is not a spreadsheet, csv or zip file (.xlsx, .ods, .csv or .zip): refused."
)
NOT_A_SPREADSHEET_CONTENT = "The content of '{name}' is not {kind}: refused ({why})."
EMPTY = "The server sent an empty file."


class FetchRefused(Exception):
    """The download was refused or failed; the message says why in plain words."""


@dataclass
class Download:
    url: str
    file_name: str
    content: bytes
    content_type: str


class RefuseInsecureRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to https only (and to http too when allow_http)."""

    def __init__(self, allow_http: bool):
        super().__init__()
        self.allow_http = allow_http

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme != "https" and not (self.allow_http and scheme == "http"):
            raise FetchRefused(REDIRECT_REFUSED.format(url=newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_address(url: str, *, allow_http: bool) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "http" and not allow_http:
        raise FetchRefused(NOT_HTTPS.format(url=url))
    if scheme not in ("http", "https"):
        raise FetchRefused(BAD_SCHEME.format(url=url))


def download(url: str, *, max_bytes: int, timeout: float, allow_http: bool = False) -> Download:
    """The file at `url`, or FetchRefused saying why not (see the module doc)."""
    check_address(url, allow_http=allow_http)
    opener = urllib.request.build_opener(RefuseInsecureRedirects(allow_http))
    request = urllib.request.Request(url, headers={"User-Agent": "performance-portal national data fetch"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused(TOO_LARGE_DECLARED.format(size=int(declared), limit=max_bytes))
            content = _read_bounded(response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
            final_url = response.geturl()
            name = _file_name(response.headers.get("Content-Disposition", ""), final_url)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise FetchRefused(HTTP_ERROR.format(code=exc.code, reason=exc.reason, url=url)) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise FetchRefused(TOO_SLOW.format(seconds=timeout)) from exc
        raise FetchRefused(UNREACHABLE.format(url=url, reason=exc.reason)) from exc
    except TimeoutError as exc:
        raise FetchRefused(TOO_SLOW.format(seconds=timeout)) from exc
    check_spreadsheet(name, content, content_type)
    return Download(final_url, name, content, content_type)


def _read_bounded(response, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    buffer = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise FetchRefused(TOO_SLOW.format(seconds=timeout))
        chunk = response.read(min(CHUNK_BYTES, max_bytes + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        buffer += chunk
        if len(buffer) > max_bytes:
            raise FetchRefused(TOO_LARGE_STREAMED.format(limit=max_bytes))


def _file_name(disposition: str, url: str) -> str:
    name = ""
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        name = message.get_filename() or ""
    if not name:
        name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "download"


def check_spreadsheet(name: str, content: bytes, content_type: str = "") -> None:
    """FetchRefused unless `name` and `content` are a spreadsheet, csv or zip file."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise FetchRefused(NOT_A_SPREADSHEET_NAME.format(name=name))
    if not content:
        raise FetchRefused(EMPTY)
    if ext != ".csv":
        if not content.startswith(ZIP_SIGNATURE):
            why = "a web page" if content_type == "text/html" else "no zip signature"
            raise FetchRefused(NOT_A_SPREADSHEET_CONTENT.format(name=name, kind=f"a {ext} file", why=why))
        return
    head = content[:CHUNK_BYTES]
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if b"\x00" in head:
        why = "it holds binary data"
    elif content_type == "text/html" or text.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        why = "it is a web page"
    else:
        return
    raise FetchRefused(NOT_A_SPREADSHEET_CONTENT.format(name=name, kind="csv text", why=why))


# --------------------------------------------------------------------------- import
def import_downloaded(*, content: bytes, file_name: str, user=None, dry_run: bool = False):
    """Import a downloaded national file through the ordinary import entry point.

    The one call to repoint when the layout registry takes over imports; it returns the
    import's outcome (counts, problems, and the batch when written).
    """
    return imports.spreadsheet_import(content=content, file_name=file_name, user=user, dry_run=dry_run)


@dataclass
class FetchOutcome:
    download: Download
    outcome: object  # the import's outcome

    @property
    def ok(self) -> bool:
        return self.outcome.ok


def fetch_and_import(url: str, *, allow_http: bool = False, dry_run: bool = False, user=None) -> FetchOutcome:
    """Download `url` within the configured limits and import it; FetchRefused if the
    download fails. A refused import is in the outcome (`ok` is False), not raised."""
    got = download(
        url,
        max_bytes=settings.NATIONAL_DATA_MAX_BYTES,
        timeout=settings.NATIONAL_DATA_TIMEOUT_SECONDS,
        allow_http=allow_http,
    )
    outcome = import_downloaded(content=got.content, file_name=got.file_name, user=user, dry_run=dry_run)
    return FetchOutcome(got, outcome)
