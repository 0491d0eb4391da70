"""Commentary Markdown: emphasis, lists and links survive; scripts, handlers and js: URLs never do."""

from html.parser import HTMLParser

import pytest

from reports.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="#" onclick="alert(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    '<form action="https://evil.example"><input name=a></form>',
    '<link rel="stylesheet" href="http://127.0.0.1:9/">',
    '<img src="file:///etc/passwd">',
]


def test_allowed_subset_renders():
    html = render_markdown(
        "Calls *rose* by **8%**.\n\n- one\n- two\n\n[HMICFRS](https://www.justiceinspectorates.gov.uk)"
    )
    assert "<em>rose</em>" in html and "<strong>8%</strong>" in html
    assert "<ul>\n<li>one</li>" in html
    assert '<a href="https://www.justiceinspectorates.gov.uk" rel="noopener noreferrer">HMICFRS</a>' in html


class _Elements(HTMLParser):
    """Collects the real elements and attributes of an HTML fragment (not escaped text)."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_never_survive(payload):
    parser = _Elements()
    parser.feed(render_markdown(payload))
    assert set(parser.tags) <= {"p", "em", "strong", "ul", "ol", "li", "a", "br"}
    for name, value in parser.attrs:
        assert not name.startswith("on") and name not in ("style", "src")
        if name == "href":
            assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or value.startswith("#")


def test_raw_html_is_shown_as_text_not_dropped():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_headings_images_and_code_are_not_part_of_the_subset():
    html = render_markdown("# Heading\n\n![alt](https://example.org/x.png)\n\n    code")
    assert "<h1" not in html and "<img" not in html and "<pre" not in html
