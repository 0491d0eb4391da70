"""Which measure a figure claims to be, from the words around it.

The measures: ``current`` and ``previous`` (the period totals), ``change`` (volume, or
percentage points for a percentage KPI), ``percent_change``, ``monthly_current`` /
``monthly_previous`` / ``monthly_change`` (a total over the months), ``share`` ("30% of
the stop searches": no table holds it), and the peer measures ``peer_rank``,
``peer_of``, ``peer_highest``, ``peer_lowest``, ``peer_average``. A cue is *strong* when
the words leave no doubt ("reduced by", a sign, "level of", "the highest being") and
*weak* when the usual reading may be another ("an additional 14,364 domestic incidents
involving a crime" is a total, not a rise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .figures import FALL_WORDS, RISE_WORDS, Figure

CHANGE_VERBS = (
    r"(?:increas|decreas|reduc|ris|ros|fell|fall|grew|grow|drop|declin|went (?:up|down)|gone (?:up|down)|"
    r"improv|worsen|deteriorat|cut\b|lower|rais)"
)
UP_OR_DOWN = r"(?<!made )(?<!make )(?<!makes )\b(?:up|down)(?!\s+to\b)"  # "down 4%", not "make up 30%"
STRONG_CHANGE_BEFORE = re.compile(
    rf"\b(?:{CHANGE_VERBS}\w*(?:\s+(?:by|of))?|(?:an? )?(?:increase|decrease|reduction|rise|fall|drop|growth|"
    rf"decline|change)\s+(?:of|in)|up by|down by|{UP_OR_DOWN})"
    r"(?:\s+(?:just|only|some|approximately|around|about|over|nearly|almost|circa|a little|in excess of|"
    r"more than|less than))*\s+[£+\-−]?$",
    re.I,
)
WEAK_CHANGE_BEFORE = re.compile(
    r"\b(?:an? )?(?:additional|extra|further)\s+[£+\-−]?$|"
    r"\b(?:increase|decrease|reduction|rise|fall|growth)\b",
    re.I,
)
CHANGE_AFTER = re.compile(
    rf"^[%\s]*(?:percentage points?\s+|pts?\s+)?(?:[a-z]+\s+)?(?:{RISE_WORDS}|{FALL_WORDS}|growth|reduction|"
    r"decrease|increase)\b",
    re.I,
)
LEVEL_BEFORE = re.compile(
    r"\b(?:level|rate|total|volume) of(?:\s+\w+)?\s+$|"
    r"\b(?:stood at|now|(?<!compared )to|was|were|is|are)\s+$",
    re.I,
)
# "compared with 5,432", "5,432 last year", "5,432 the previous year": the comparison period's figure
COMPARISON_BEFORE = re.compile(r"\bcompared (?:to|with)\s+$", re.I)
PREVIOUS_AFTER = re.compile(
    r"\s*(?:\w+\s+)?(?:in\s+)?(?:(?:the )?(?:previous|last|prior) (?:financial )?year|"
    r"a year (?:earlier|before|ago))\b",
    re.I,
)
SHARE_AFTER = re.compile(r"^\s*(?:of|in every)\b", re.I)
MONTHLY = re.compile(r"\b(?:per|every|each|a) month\b|\bmonthly\b", re.I)
PEER_OF_BEFORE = re.compile(r"\bout of\s+(?:all\s+|the\s+)?$|\bof the\s+$", re.I)
OUT_OF_AFTER = re.compile(r"^\s*out of\b", re.I)
PEER_TAIL = r"(?:\s+\w+)?\s+(?:being|was|is|at|of)\s+$"
PEER_WORDS = {
    "peer_highest": re.compile(rf"\b(?:highest|largest|best|top){PEER_TAIL}", re.I),
    "peer_lowest": re.compile(rf"\b(?:lowest|smallest|worst|bottom){PEER_TAIL}", re.I),
    "peer_average": re.compile(
        r"\b(?:group|peer|msf|forces’?'?)\s+average(?:\s+\w+)?\s+(?:being|was|is|at|of)\s+$|"
        r"\baverage (?:of|across) (?:the|its|our) (?:group|peers|most similar forces|forces)"
        r"\s+(?:being|was|is|at|of)?\s*$",
        re.I,
    ),
}  # fmt: skip
PREVIOUS_WORDS = re.compile(
    r"\b(?:(?:the )?(?:previous|last|prior) (?:financial )?year(?:’s|'s)?|a year earlier)\b",
    re.I,
)
COMPARED_WITH = re.compile(
    r"\b(?:compared (?:to|with)|comparison (?:to|with)|than|against|since|from|on|over)"
    r"\s+(?:in\s+)?(?:the\s+)?$",
    re.I,
)
CLAUSE_BREAK = re.compile(r"[;:(]|,(?!\d{3})|\bthis represents\b|\bwhich is\b", re.I)
STOOD_AT_AFTER = re.compile(r"^\s*(?:which )?stood at")
WHICH_WAS = re.compile(r"\b(?:which|when it|then) (?:was|stood at)\s+$")


@dataclass
class Claim:
    """What the words say a figure is: the measure, and how sure the words are."""

    measure: str  # current | previous | change | percent_change | monthly_* | share | peer_* | level
    strong: bool = False
    period: str = ""  # "current" | "previous" when the clause names one of the report's periods


def _clause_before(text: str, fig: Figure, sentence: tuple[int, int]) -> str:
    before = text[max(sentence[0], fig.start - 70) : fig.start]
    breaks = list(CLAUSE_BREAK.finditer(before))
    if breaks and not before.rstrip().endswith("("):
        before = before[breaks[-1].end() :]
    return before


def peer_claim(text: str, fig: Figure, sentence: tuple[int, int]) -> Claim | None:
    before = text[max(sentence[0], fig.start - 40) : fig.start]
    if fig.kind == "rank":
        return Claim("peer_rank", strong=True)
    if fig.kind == "count" and PEER_OF_BEFORE.search(before):
        return Claim("peer_of", strong=True)
    if OUT_OF_AFTER.match(text[fig.end : fig.end + 12]):
        return Claim("peer_count", strong=True)  # "36 out of 43 forces": how many, not which
    for measure, pattern in PEER_WORDS.items():
        if pattern.search(before):
            return Claim(measure, strong=True)
    return None


def claim(
    text: str,
    fig: Figure,
    sentence: tuple[int, int],
    period: str,
    *,
    percent_kpi: bool,
    clause: tuple[int, int],
) -> Claim:
    """The measure a figure's words claim (see the module's docstring)."""
    peer = peer_claim(text, fig, sentence)
    if peer is not None:
        return peer
    before = _clause_before(text, fig, sentence)
    after = text[fig.end : min(sentence[1], fig.end + 40)]
    strong_change = (
        bool(fig.sign) or bool(STRONG_CHANGE_BEFORE.search(before)) or bool(CHANGE_AFTER.match(after))
    )
    weak_change = bool(WEAK_CHANGE_BEFORE.search(before))
    monthly = bool(MONTHLY.search(text, clause[0], clause[1]))
    if fig.kind == "points":
        return Claim("change", strong=True, period=period)
    if fig.kind == "percent" and not percent_kpi:
        if strong_change or fig.parenthesised and not SHARE_AFTER.match(after):
            return Claim("percent_change", strong=True, period=period)
        return Claim("share", strong=True, period=period)
    # "30% of the searches" is a share no table holds; "a third of victims" of a % KPI is its level.
    if (
        fig.kind == "percent"
        and SHARE_AFTER.match(after)
        and not LEVEL_BEFORE.search(before)
        and not fig.spelled
    ):
        return Claim("share", strong=True, period=period)
    if strong_change or weak_change:
        return Claim("monthly_change" if monthly else "change", strong=strong_change, period=period)
    strong = bool(LEVEL_BEFORE.search(before)) or bool(period)
    if monthly:
        return Claim(f"monthly_{period or 'current'}", strong=strong, period=period)
    return Claim(period or "level", strong=strong, period=period)


def clause_span(text: str, fig: Figure, sentence: tuple[int, int], next_start: int) -> tuple[int, int]:
    """The figure's clause: back to the last comma or bracket, on to the next one or the next figure."""
    clause_start = fig.start - len(_clause_before(text, fig, sentence))
    after = text[fig.end : min(sentence[1], next_start)]
    stop = CLAUSE_BREAK.search(after)
    return clause_start, fig.end + (stop.start() if stop else len(after))


def period_of(text: str, fig: Figure, periods: list[tuple[Figure, str]], clause: tuple[int, int]) -> str:
    """'current' or 'previous' when the figure's clause names one of the report's periods."""
    clause_start, clause_end = clause
    after = text[fig.end : clause_end]
    near = [
        (abs(p.start - fig.start), which)
        for p, which in periods
        if clause_start <= p.start < clause_end
        and not COMPARED_WITH.search(text, max(0, p.start - 40), p.start)
    ]
    if near:
        return min(near)[1]
    if PREVIOUS_WORDS.search(text, clause_start, fig.start) or STOOD_AT_AFTER.match(after):
        return "previous"
    if COMPARISON_BEFORE.search(text, max(0, fig.start - 20), fig.start):
        return "previous"
    if PREVIOUS_AFTER.match(text, fig.end, clause_end):
        return "previous"
    if WHICH_WAS.search(text[max(0, fig.start - 20) : fig.start]):
        return "previous"
    return ""
