"""What WeasyPrint may fetch while rendering a report: data: URLs and our own static files.

WeasyPrint's default fetcher opens any URL it meets, file:// included, and embeds files
that a `rel="attachment"` link points to. A report contains editors' text, so the PDF
renderer gets this fetcher instead: it answers data: URLs and files under STATIC_URL
(resolved through the staticfiles finders, or STATIC_ROOT after collectstatic), and
refuses everything else (file://, http(s)://, other schemes) without opening a
connection, so nothing is fetched and nothing is followed, redirects included.
The report's stylesheet and its fonts (static/fonts/) come through here too.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL the PDF's HTML is parsed with, so "/static/css/x.css" resolves to a URL
# that only this fetcher answers (.invalid never resolves, and no request is ever made).
BASE_URL = "https://portal-static.invalid/"

REFUSED = "Refused to fetch {url}: reports may only use data: URLs and the portal's static files."


class FetchRefused(ValueError):
    """A URL the report renderer is not allowed to fetch."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves data: URLs and static files, and nothing else.

    `refused` keeps every URL it turned down (for logs and tests).
    """

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if url.startswith(BASE_URL):
            path = self._static_path(url)
            if path is not None:
                self.served.append(url)
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
                )
        self.refused.append(url)
        raise FetchRefused(REFUSED.format(url=url[:200]))

    def _data(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        params = header.split(";")
        mime = params[0] or "text/plain"
        body = base64.b64decode(payload) if "base64" in params[1:] else unquote_to_bytes(payload)
        self.served.append("data:")
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def _static_path(self, url: str) -> Path | None:
        """The file a URL under BASE_URL names, if it is one of our static files."""
        path = unquote(urlsplit(url).path).lstrip("/")
        static_prefix = settings.STATIC_URL.strip("/") + "/"
        if not path.startswith(static_prefix):
            return None
        relative = posixpath.normpath(path[len(static_prefix) :])
        if relative.startswith(("..", "/")) or relative in ("", "."):
            return None
        found = finders.find(relative)
        if found:
            return Path(found)
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
        return None
