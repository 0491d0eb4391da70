"""Which KPI a figure is about: the sentence's words against each KPI's name, category and aliases.

A KPI is *mentioned* where one of its phrases appears in a sentence: its name (with and
without "Number of", "Volume of" and any bracketed abbreviation), its aliases, and its
category. A phrase preceded by a word that narrows it ("Offensive weapon stop and
searches", "Hate crime") names something else, and so does one followed by a restriction
("101 calls not answered"). A one-word phrase ("incidents") counts only where nothing in
the sentence narrows the same word ("Grade 2 Emergency incidents … (-1,043 incidents)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .wording import SCALE_WORDS, TENS_WORDS, UNIT_WORDS

RATE_TAIL = re.compile(r"\s+(?:rate\s+)?per\s+[\d,]+(?:\s+\w+)?\s*$|\s+rate$", re.I)
NAME_PREFIX = re.compile(r"^(?:the\s+)?(?:number|volume|total|count|level)\s+of\s+(?:the\s+)?|^all\s+", re.I)
# Words that may stand before a KPI's phrase without narrowing it.
OPEN_BEFORE = set(
    "the a an all total of in on for by with and or to from at our its their this these those that which "
    "more fewer less additional extra further number numbers volume volumes level levels rate recorded "
    "new overall any some than as into whose monthly annual average use was were is are has have had "
    "been be there here then also while whilst despite although however but across within throughout "
    "compared comparing current currently about approximately around over under nearly almost circa "
    "public only just".split()
)  # fmt: skip
# Words that may follow a one-word phrase ("incidents in comparison"), i.e. end its noun.
OPEN_AFTER = set(
    "has have had is are was were in compared when from throughout over during this which that recorded "
    "received created and for to with by at on per every each a an the than as across since have "
    "carried completed reported dealt remain remains remained fell rose risen fallen grew increased "
    "decreased reduced dropped declined stood went".split()
)  # fmt: skip
RESTRICTED_AFTER = re.compile(r"^\s*(?:not|resulting|where|who|that were|which were)\b", re.I)
COUNTED_NOUNS = set(
    "offences offence incidents incident crime crimes calls searches records referrals orders applications "
    "cases offenders persons people victims members enforcements arrests bids projects children "
    "individuals outcomes groups months years days weeks operations".split()
)  # fmt: skip
# Words the commentary uses for the same thing a KPI counts: "6.4 offences" of "Violent crime".
SAME_THING = {"crime": ("offence",), "offence": ("crime",), "person": ("people",), "people": ("person",)}
WORD = re.compile(r"[A-Za-z0-9’']+")
BRACKET_END = re.compile(r"\)\s*$")
LAST_WORD = re.compile(r"([\w’'%£]+)\W*$")
PUNCTUATION = re.compile(r"[,;:(.]")
NUMBER_WORD = re.compile(r"[\d,.%£+\-−]+(?:k|m|bn)?", re.I)  # "61.0k crimes" is not narrowed
NEXT_WORD = re.compile(r"\s*([\w’']+)")
NEXT_PUNCTUATION = re.compile(r"\s*[,;:.)(]")


@dataclass
class KpiRef:
    """A KPI the checker can attribute figures to: a table row or a catalogue entry."""

    row: dict  # {"kpi": {...}, "comparison": {...}, optional "peer": {...}}
    in_section: bool = False
    phrases: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row["kpi"]["code"]

    @property
    def unit(self) -> str:
        return self.row["kpi"]["unit"]

    @property
    def heads(self) -> set[str]:
        """What the KPI counts, singular: each phrase's last word and counted nouns ("incidents")."""
        heads = {singular_form(p.split()[-1]) for p in self.phrases}
        return heads | {singular_form(w) for p in self.phrases for w in p.split() if w in COUNTED_NOUNS}

    @property
    def named_heads(self) -> set[str]:
        """The heads, and the words a sentence naming the KPI may count it in ("6.4 offences")."""
        heads = self.heads
        return heads | {same for h in heads for same in SAME_THING.get(h, ())}


def singular_form(word: str) -> str:
    word = word.lower()
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxh":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    return " ".join(WORD.findall(text.replace("-", " ").lower()))


def kpi_phrases(kpi: dict) -> list[str]:
    """Every way the commentary may name a KPI, normalised, longest first."""
    return _phrases(kpi.get("name", ""), kpi.get("category", ""), tuple(kpi.get("aliases") or ()))


@lru_cache(maxsize=1024)
def _phrases(name: str, category: str, aliases: tuple[str, ...]) -> list[str]:
    bare = re.sub(r"\s*\([^)]*\)", "", name)
    found = {name, bare, NAME_PREFIX.sub("", name), NAME_PREFIX.sub("", bare)}
    found.update(RATE_TAIL.sub("", p) for p in list(found))  # "hate crimes" for "… per 1,000 population"
    found.update(a for a in aliases if a)
    if category:
        found.add(category)
    phrases = {normalise(p) for p in found}
    return sorted((p for p in phrases if p), key=lambda p: (-len(p.split()), p))


@lru_cache(maxsize=512)
def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(singular_form(w)) + r"(?:s|es)?" for w in phrase.split()]
    return re.compile(r"(?<![\w])" + r"[\s\-,]+".join(words) + r"(?![\w])", re.I)


@lru_cache(maxsize=512)
def _loose_pattern(phrase: str) -> re.Pattern:
    """The phrase's words in order with a few others between: "recorded 60.1k crimes", "999 calls
    (80.3%) were answered within 10 seconds"."""
    words = [re.escape(singular_form(w)) + r"(?:s|es)?" for w in phrase.split()]
    gap = r"(?:[^\w.;:]+[\w’'.,%£()+\-]+){0,4}?[^\w.;:]+"
    return re.compile(r"(?<![\w])" + gap.join(words) + r"(?![\w])", re.I)


@lru_cache(maxsize=1024)
def _stem(phrase: str) -> str:
    return singular_form(phrase.split()[0])


@dataclass
class Mention:
    start: int
    end: int
    ref: KpiRef
    words: int
    loose: bool = False  # the phrase's words with others between them


def _word_before(text: str, start: int) -> str:
    before = text[max(0, start - 30) : start]
    if BRACKET_END.search(before):
        return ")"  # "Grade 4 (telephone) incidents": a bracket narrows the noun after it
    m = LAST_WORD.search(before)
    if not m:
        return ""
    return "" if PUNCTUATION.search(before, m.end()) else m.group(1)


def _open_before(text: str, start: int, sentence_start: int) -> bool:
    word = _word_before(text, start)
    if not word or start - len(word) <= sentence_start:
        return True
    word = word.lower()
    spelled = word in UNIT_WORDS or word in TENS_WORDS or word in SCALE_WORDS
    return word in OPEN_BEFORE or spelled or bool(NUMBER_WORD.fullmatch(word))


def _open_after(text: str, end: int) -> bool:
    m = NEXT_WORD.match(text, end, end + 30)
    if not m or NEXT_PUNCTUATION.match(text, end, end + 3):
        return True
    return m.group(1).lower() in OPEN_AFTER


def narrowed_words(text: str, span: tuple[int, int]) -> set[str]:
    """Counted nouns the sentence narrows with a word before them ("Emergency incidents")."""
    out = set()
    for m in WORD.finditer(text, span[0], span[1]):
        word = m.group(0).lower()
        if word in COUNTED_NOUNS and not _open_before(text, m.start(), span[0]):
            out.add(singular_form(word))
    return out


def mentions(text: str, span: tuple[int, int], refs: list[KpiRef]) -> list[Mention]:
    """KPIs named in one sentence, longest phrase first where two overlap, in reading order."""
    narrowed = narrowed_words(text, span)
    lower = text[span[0] : span[1]].lower()
    found: list[Mention] = []
    for ref in refs:
        for phrase in ref.phrases:
            if _stem(phrase) not in lower:
                continue  # a cheap test first: most phrases are nowhere near most sentences
            single = len(phrase.split()) == 1
            for m in _phrase_pattern(phrase).finditer(text, span[0], span[1]):
                if not _open_before(text, m.start(), span[0]) or RESTRICTED_AFTER.match(text[m.end() :]):
                    continue
                if single and (singular_form(phrase) in narrowed or not _open_after(text, m.end())):
                    continue
                found.append(Mention(m.start(), m.end(), ref, len(phrase.split())))
    if not found:  # none named outright: the section's KPIs named with words between
        found = [
            m for ref in refs if ref.in_section for m in _loose_mentions(text, span, lower, ref, narrowed)
        ]
    found.sort(key=lambda x: (x.loose, -(x.end - x.start), x.start))
    kept: list[Mention] = []
    for mention in found:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda x: x.start)


def _loose_mentions(
    text: str, span: tuple[int, int], lower: str, ref: KpiRef, narrowed: set
) -> list[Mention]:
    """A KPI named with words between its phrase's words ("recorded 60.1k crimes"); only phrases of
    two words or more, and not where the sentence narrows the phrase's last word."""
    if any(_phrase_pattern(p).search(text, span[0], span[1]) for p in ref.phrases):
        return []  # written together but narrowed ("Offensive weapon stop and searches"): not this KPI
    for phrase in ref.phrases:
        words = phrase.split()
        if (
            len(words) < 2
            or not all(singular_form(w) in lower for w in words)
            or singular_form(words[-1]) in narrowed
        ):
            continue
        m = _loose_pattern(phrase).search(text, span[0], span[1])
        if m and len(m.group(0).split()) > len(words):  # written together, it would have been named
            return [Mention(m.start(), m.end(), ref, len(words), loose=True)]
    return []


def narrowed_phrase(text: str, span: tuple[int, int], ref: KpiRef) -> bool:
    """The KPI's phrase with a word narrowing it: "Offensive weapon stop and searches"."""
    for phrase in ref.phrases:
        for m in _phrase_pattern(phrase).finditer(text, span[0], span[1]):
            if not _open_before(text, m.start(), span[0]):
                return True
    return False


def foreign_nouns(text: str, span: tuple[int, int], kept: list[Mention], ref: KpiRef) -> bool:
    """True when the sentence counts something outside the KPI's own words ("501 offences")."""
    if narrowed_phrase(text, span, ref):
        return True
    heads = ref.heads
    for m in WORD.finditer(text, span[0], span[1]):
        word = singular_form(m.group(0))
        if m.group(0).lower() not in COUNTED_NOUNS or any(k.start <= m.start() < k.end for k in kept):
            continue
        if word not in heads or not _open_before(text, m.start(), span[0]):
            return True
    return False
