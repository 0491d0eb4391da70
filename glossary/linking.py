"""Mark up glossary terms where readers meet them.

The first use of a term or its abbreviation in each section becomes a link to its
glossary entry; abbreviations are wrapped in `<abbr title="expansion">`. Works on
sanitised HTML: only text between tags is touched, never attributes, and never text
already inside a link or an abbr.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_TAG = re.compile(r"(<[^>]*>)")


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    abbreviation: str
    anchor: str  # id of the entry in the glossary appendix, e.g. "term-cmd"
    definition: str = ""


def _pattern(entries: list[GlossaryEntry]) -> re.Pattern | None:
    """One regex for every term (case-insensitive) and abbreviation (exact case)."""
    alternatives: list[tuple[int, str]] = []
    for entry in entries:
        words = html.escape(entry.term, quote=False)
        alternatives.append((len(words), f"(?i:{re.escape(words)})"))
        if entry.abbreviation:
            abbr = html.escape(entry.abbreviation, quote=False)
            alternatives.append((len(abbr), re.escape(abbr)))
    if not alternatives:
        return None
    # Longest first, so "Domestic Abuse Investigation Unit" wins over "Domestic".
    body = "|".join(alt for _, alt in sorted(alternatives, key=lambda a: -a[0]))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


@dataclass
class SectionLinker:
    """Links the first use of each term within one section; remembers what it linked."""

    entries: list[GlossaryEntry]
    seen: set[str] = field(default_factory=set)
    used_in_order: list[GlossaryEntry] = field(default_factory=list)

    def __post_init__(self):
        self._regex = _pattern(self.entries)
        self._lookup: dict[str, GlossaryEntry] = {}
        for entry in self.entries:
            self._lookup[html.escape(entry.term, quote=False).lower()] = entry
        for entry in self.entries:
            if entry.abbreviation:
                self._lookup.setdefault(html.escape(entry.abbreviation, quote=False), entry)

    def _entry_for(self, matched: str) -> GlossaryEntry | None:
        return self._lookup.get(matched) or self._lookup.get(matched.lower())

    def _markup(self, matched: str, entry: GlossaryEntry) -> str:
        href = f"#{html.escape(entry.anchor)}"
        if entry.abbreviation and matched == html.escape(entry.abbreviation, quote=False):
            expansion = html.escape(entry.term)
            return f'<abbr title="{expansion}"><a href="{href}" class="glossary-link">{matched}</a></abbr>'
        return f'<a href="{href}" class="glossary-link">{matched}</a>'

    def link(self, sanitised_html: str) -> str:
        if self._regex is None:
            return sanitised_html
        out, inside = [], 0
        for part in _TAG.split(sanitised_html):
            if part.startswith("<"):
                name = part[1:].lstrip("/").split()[0].rstrip(">").lower() if len(part) > 2 else ""
                if name in ("a", "abbr"):
                    inside += -1 if part.startswith("</") else 1
                out.append(part)
                continue
            if inside > 0 or not part:
                out.append(part)
                continue
            out.append(self._regex.sub(self._replace, part))
        return "".join(out)

    def _replace(self, match: re.Match) -> str:
        matched = match.group(0)
        entry = self._entry_for(matched)
        if entry is None or entry.anchor in self.seen or _inside_proper_name(match, entry):
            return matched
        self.seen.add(entry.anchor)
        self.used_in_order.append(entry)
        return self._markup(matched, entry)


_NEXT_WORD_CAPITALISED = re.compile(r"\s+[A-Z]")


def _inside_proper_name(match: re.Match, entry: GlossaryEntry) -> bool:
    """'Crime' in 'Police and Crime Panel' is part of a name, not the glossary's 'crime'."""
    matched = match.group(0)
    if matched == entry.abbreviation or not matched[:1].isupper() or " " in entry.term:
        return False
    before = match.string[: match.start()].rstrip()
    at_sentence_start = not before or before[-1] in ".!?:>"
    return not at_sentence_start and bool(_NEXT_WORD_CAPITALISED.match(match.string, match.end()))


def mentions(entries: list[GlossaryEntry], text: str) -> bool:
    """Whether `text` (Markdown or plain) uses any of these terms or abbreviations.

    The same matching as the linker, without its proper-name exception: it may say yes
    where the linker would leave a word alone, never no where the linker would link.
    """
    regex = _pattern(entries)
    return bool(regex and text and regex.search(html.escape(text, quote=False)))
