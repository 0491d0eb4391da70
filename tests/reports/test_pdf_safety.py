"""The PDF renderer fetches and attaches nothing editors' text could name: payloads typed as
commentary, HTML that skipped the sanitiser, and the fetcher's own refusals."""

import io
import socket

import pikepdf
import pytest

from reports import rendering
from reports.pdf_fetcher import BASE_URL, REFUSED, FetchRefused, StaticOnlyFetcher

from .factories import paragraph, reference_snapshot
from .test_rendering import page_texts


# --------------------------------------------------------------------------- safety
@pytest.fixture
def listener():
    """A TCP port that records any connection: proof that nothing was fetched."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def connections(server) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def payloads(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link href="http://127.0.0.1:9/">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        f'<img src="http://127.0.0.1:{port}/x.png">',
        '<a rel="attachment" href="file:///etc/hostname">hostname</a>',
        '<link rel="attachment" href="file:///etc/hostname">',
        '<a rel="attachment" href="/static/css/report-pdf.css">css</a>',
    ]


def assert_no_attachments(pdf: bytes):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})
        assert len(doc.attachments) == 0
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                assert annot.get("/Subtype") != "/FileAttachment"


def test_attack_payloads_typed_as_commentary_are_shown_as_text_and_fetch_nothing(listener):
    port = listener.getsockname()[1]
    snap = reference_snapshot()
    attacks = payloads(port)
    # As an editor types them: the Markdown renderer escapes raw HTML, so they are text.
    from reports.markdown import render_markdown

    section = snap["sections"][3]
    section["paragraphs"] = [
        paragraph(f"1.{i}", a, html=render_markdown(a)) for i, a in enumerate(attacks, start=1)
    ]
    snap["sections"][-1]["terms"][0]["definition_html"] = render_markdown(attacks[4])
    pdf = rendering.render_pdf(rendering.build_context(snap))
    text = " ".join(page_texts(pdf))
    assert '<img src="file:///etc/passwd">' in text
    assert '<a rel="attachment" href="file:///etc/hostname">hostname</a>' in text
    assert_no_attachments(pdf)
    assert connections(listener) == 0


def test_attack_html_that_skipped_the_sanitiser_fetches_and_attaches_nothing(listener, monkeypatch):
    port = listener.getsockname()[1]
    snap = reference_snapshot()
    raw = "".join(payloads(port))
    snap["sections"][3]["paragraphs"][0]["html"] = f"<p>{raw}</p>"
    snap["sections"][-1]["terms"][0]["definition_html"] = raw
    pdf = rendering.render_pdf(rendering.build_context(snap))
    assert_no_attachments(pdf)
    assert connections(listener) == 0
    assert "root:" not in " ".join(page_texts(pdf))


def test_fetcher_refuses_file_network_and_unknown_urls_even_when_weasyprint_is_given_them(listener):
    port = listener.getsockname()[1]
    fetcher = StaticOnlyFetcher()
    html = (
        '<html lang="en-GB"><head><title>t</title>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        '<link rel="attachment" href="file:///etc/hostname"></head><body>'
        '<img src="file:///etc/passwd" alt="p"><img src="ftp://127.0.0.1/x" alt="f">'
        f'<img src="https://127.0.0.1:{port}/y.png" alt="y">'
        '<a rel="attachment" href="file:///etc/hostname">h</a>'
        '<img src="/static/../../../../etc/passwd" alt="traversal">'
        '<img alt="dot" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">'
        "</body></html>"
    )
    pdf, _ = rendering.html_to_pdf(html, identifier="x", fetcher=fetcher)
    assert "file:///etc/passwd" in fetcher.refused
    assert f"http://127.0.0.1:{port}/x.css" in fetcher.refused
    assert f"https://127.0.0.1:{port}/y.png" in fetcher.refused
    assert "ftp://127.0.0.1/x" in fetcher.refused
    assert any("etc/passwd" in url and url.startswith(BASE_URL) for url in fetcher.refused)
    # The attachment links lost their rel before layout, so they were never even asked for.
    assert not any("hostname" in url for url in fetcher.refused + fetcher.served)
    assert "data:" in fetcher.served
    assert_no_attachments(pdf)
    assert connections(listener) == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/x.css",
        f"{BASE_URL}etc/passwd",
        f"{BASE_URL}static/../../etc/passwd",
        f"{BASE_URL}static/nothing-here.css",
        "javascript:alert(1)",
        "/static/css/report-pdf.css",
    ],
)
def test_fetcher_refuses_with_a_clear_message(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(FetchRefused) as error:
        fetcher.fetch(url)
    assert str(error.value) == REFUSED.format(url=url)
    assert fetcher.refused == [url]


def test_fetcher_serves_our_static_files_and_data_urls():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(f"{BASE_URL}static/css/report-pdf.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    assert fetcher.fetch("data:,a%20b").read() == b"a b"
