"""A small HTTP client for tests that talk to a real server process (gunicorn) as a browser
without JavaScript would: cookies, CSRF tokens, and HTML forms read from the page.

It sends what a TLS-terminating proxy sends (`X-Forwarded-Proto: https`, an https Origin),
so a production configuration (HTTPS redirect, secure cookies, CSRF origin checks) is
exercised as it is deployed. Cookies are kept by hand because the standard cookie jar will
not send a `Secure` cookie over the plain HTTP between the proxy and the server.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every named control, sent or not

    def values(self) -> dict[str, str]:
        return dict(self.fields)


class _FormParser(HTMLParser):
    """Collects every form's successful controls, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select" and "name" in a:
            self.forms[-1].names.add(a["name"])
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            self._option, self._text = a, ""
        elif tag == "textarea" and "name" in a:
            self.forms[-1].names.add(a["name"])
            self._textarea, self._text = a["name"], ""

    def _input(self, a):
        kind, name = a.get("type", "text").lower(), a.get("name")
        if not name or "disabled" in a:
            return
        self.forms[-1].names.add(name)
        if kind in ("submit", "image"):
            self.forms[-1].submits.append((name, a.get("value", "")))
        elif kind in ("checkbox", "radio"):
            if "checked" in a:
                self.forms[-1].fields.append((name, a.get("value", "on")))
        elif kind not in ("file", "button", "reset"):
            self.forms[-1].fields.append((name, a.get("value", "")))

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value = self._option.get("value", self._text.strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option and not self._select_chosen:
                self.forms[-1].fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.forms[-1].fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Client:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None) -> Response:
        url = urljoin(self.base + "/", path)
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        sent = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host}",
            "Referer": f"https://{self.host}{parts.path}",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=sent)
        raw = conn.getresponse()
        response = Response(raw.status, raw.headers, raw.read(), url)
        conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, follow: bool = True) -> Response:
        response = self.request("GET", path)
        hops = 0
        while follow and response.status in (301, 302, 303) and hops < 10:
            response = self.request("GET", response.headers["Location"])
            hops += 1
        return response

    def post(self, path: str, fields, files: dict | None = None, *, follow: bool = True) -> Response:
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(list(fields)).encode(), "application/x-www-form-urlencoded"
        response = self.request("POST", path, body=body, headers={"Content-Type": content_type})
        if follow and response.status in (301, 302, 303):
            return self.get(response.headers["Location"])
        return response

    def submit(
        self, page: Response, *, having: str = "", action: str = "", set_fields=None, files=None
    ) -> Response:
        """Fill in and send the first form on `page` that has a control named `having` and
        whose action contains `action`; `set_fields` overrides or adds values."""
        form = next(
            (f for f in forms_of(page.text) if (not having or having in f.names) and action in f.action),
            None,
        )
        if form is None:
            raise AssertionError(f"no form with {having!r} / {action!r} on {page.url}:\n{page.text[:3000]}")
        values = form.values()
        values.update(set_fields or {})
        return self.post(form.action or page.url, values.items(), files)


def _multipart(fields, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        chunks.append(f"{head}{value}\r\n".encode())
    for name, (filename, data) in files.items():
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        )
        chunks.append(head.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
