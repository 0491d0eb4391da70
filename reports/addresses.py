"""A report's web address made from its title when the editor leaves it blank.

"Force Performance: End of Year 2021/22 (April 2021 – March 2022)" becomes
"force-performance-end-of-year-2021-22": the bracketed span is dropped (the period is in
the page), a financial year keeps its dash, and the result is cut at a word.
"""

import re

from django.utils.text import slugify

MAX_LENGTH = 60


def slug_from_title(title: str, *, taken) -> str:
    """A slug for `title` that `taken(slug)` says is free ('-2', '-3' … added when needed)."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", title)
    text = re.sub(r"(\d{4})\s*/\s*(\d{2,4})", r"\1-\2", text)
    base = slugify(text) or "report"
    if len(base) > MAX_LENGTH:
        base = base[:MAX_LENGTH].rsplit("-", 1)[0]
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug
