"""Commentary is written in a small Markdown subset and always shown sanitised.

Editors get emphasis, strong, lists and links; raw HTML is escaped by the parser (not
passed through), and the result goes through nh3 (the Ammonia sanitiser) so no script,
event handler, style or `javascript:` URL can survive, whatever the input.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "a", "br", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# CommonMark with raw HTML off (written HTML is shown as text), only the rules we allow.
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .disable(["image", "heading", "lheading", "code", "fence", "blockquote", "hr", "table"], True)
    .enable(["list", "emphasis", "link", "newline"], True)
)


def sanitise_html(html: str) -> str:
    """Keep only the allowed tags and attributes; links get rel=noopener noreferrer."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown subset -> sanitised HTML."""
    return sanitise_html(_md.render(text or ""))
