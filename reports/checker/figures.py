"""Finding figures in a paragraph: numbers with their precision, units and qualifiers."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kpis.periods import Period, month_end

from .wording import (
    COUNT_RANGE,
    FRACTION,
    IN_EVERY,
    NUMBER_WORDS,
    PERCENT_RANGE,
    YEARISH,
    blank_footnotes,
    fraction_percent,
    words_value,
)  # fmt: skip

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i], "sept" if i == 9 else calendar.month_abbr[i])
}
MONTH_RE = r"(?:" + "|".join(sorted((m for m in MONTHS), key=len, reverse=True)) + r")\.?"
YEAR_RE = r"(?:19|20)\d{2}"
FY_RE = r"(?:(?:19|20)\d{2}|\d{2})/\d{2}"
DAY_RE = r"\d{1,2}(?:st|nd|rd|th)?"
DASH_RE = r"\s*(?:-|–|—|to)\s*"

PHONE_NUMBERS = {"999", "101", "111"}  # in policing text these name a phone line, not a count
LABEL_WORDS = {
    "grade", "quarter", "q", "op", "operation", "appendix", "section", "paragraph", "part",
    "level", "tier", "category", "phase", "stage", "priority", "page", "kpi", "table", "figure",
}  # fmt: skip

OVER = re.compile(
    r"\b(?:in excess of|over|more than|above|at least|upwards of|exceeding)(?:\s+(?:of|only))*\s+$", re.I
)
UNDER = re.compile(r"\b(?:less than|fewer than|under|below|up to|just under)(?:\s+only)?\s+$", re.I)
ABOUT = re.compile(
    r"\b(?:approximately|approx\.?|around|about|circa|c\.|roughly|some|nearly|almost|an estimated|"
    r"estimated|close to)\s+$",
    re.I,
)
QUALIFIER_WORDS = re.compile(
    r"\b((?:just |a little |well |slightly )?(?:in excess of|over|more than|above|at least|upwards of|"
    r"exceeding|less than|fewer than|under|below|up to|approximately|approx\.?|around|about|circa|c\.|"
    r"roughly|some|nearly|almost|an estimated|estimated|close to)(?:\s+(?:of|only))*)\s+[£+\-−]?$",
    re.I,
)
RISE_WORDS = r"increas\w*|rise|rises|rising|rose|risen|additional|extra|growth|grew|grown|higher|up|more"
FALL_WORDS = r"reduc\w*|decreas\w*|fall|falls|falling|fell|fallen|fewer|less|lower|down|drop\w*|declin\w*"
DIRECTION_BEFORE = re.compile(rf"\b({RISE_WORDS}|{FALL_WORDS})\b(?!\s+than)", re.I)
CHANGE_BEFORE = re.compile(
    rf"(?:\b(?:{RISE_WORDS}|{FALL_WORDS}|change)\b(?:\s+(?:of|by|in))?|\badditional)"
    r"(?:\s+(?:of|by|over|approximately|around|about|only|just|some|a|total))*\s+[£+\-−]?$",
    re.I,
)
CHANGE_AFTER = re.compile(r"^\s*(?:\w+\s+)?(fewer|less|more|additional|extra)\b(?!\s+than)", re.I)
MONTHLY = re.compile(r"\b(?:per|every|each|a) month\b|\bmonthly\b", re.I)
CHANGE_SENTENCE = re.compile(rf"\b(?:{RISE_WORDS}|{FALL_WORDS})\b", re.I)
MONTH_NAMED = re.compile(rf"\b{MONTH_RE}(?!\w)", re.I)
QUARTER_NAMED = re.compile(r"\b(?:Q[1-4]|quarter\s+(?:[1-4]|one|two|three|four)|last quarter)\b", re.I)
SPAN_TO = re.compile(
    rf"(?:\b(?:year|months|weeks|period|quarter|date)\s+(?:to|ending|ended|until)|\b{MONTH_RE}\s+(?:to|and|until)"
    r"|[–—-])\s+(?:the\s+end\s+of\s+)?$",
    re.I,
)
AS_AT = re.compile(r"\bas (?:at|of) (?:the )?(?:end of |close of )?$", re.I)
WORD_BEFORE = re.compile(r"(\w+)\s*$")
PER_BEFORE = re.compile(r"\bper\s+$", re.I)


# --------------------------------------------------------------------------- data
@dataclass
class Figure:
    """A figure as written in a paragraph: where it is, what kind, and what it says."""

    start: int
    end: int
    text: str
    kind: str  # count, change, percent, points, money, duration, rank, period, year, date
    value: Decimal | None = None
    decimals: int = 0
    units: list[Decimal] = field(default_factory=list)  # rounding units it may be written to
    sign: int = 0  # +1 / -1 when written with a sign
    qualifier: str = ""  # "over", "under", "about"
    qualifier_words: str = ""  # as written: "in excess of over of", "nearly"
    parenthesised: bool = False
    period: tuple[date, date] | None = None
    as_at: bool = False
    bounds: tuple[Decimal, Decimal] | None = None  # a range or a fraction: any value in it agrees
    spelled: bool = False  # written in words ("twelve"): kept only when it can be checked
    span_end: bool = False  # the month a span ends with: "the year to November 2023", "April to November"


# --------------------------------------------------------------------------- extraction
def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _units(number: str, *, scale: Decimal = Decimal(1), loose: bool = False) -> tuple[int, list[Decimal]]:
    """Decimals written, and the rounding units the number may be written to.

    `11,000` is exact or rounded to 10, 100 or 1,000; trailing zeros only count as rounding
    when `loose` (a qualifier such as "over" or "around", or a multiplier such as "million").
    """
    plain = number.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    units = [Decimal(1).scaleb(-decimals) * scale]
    if loose and decimals == 0:
        digits = plain.lstrip("0")
        zeros = len(digits) - len(digits.rstrip("0")) if digits else 0
        units += [Decimal(10) ** k * scale for k in range(1, zeros + 1)]
        if digits.endswith("5"):  # "around 15": written to the nearest 5
            units.insert(1, Decimal(5) * scale)
    return decimals, units


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 40) : start]
    if OVER.search(before):
        return "over"
    if UNDER.search(before):
        return "under"
    if ABOUT.search(before):
        return "about"
    return ""


def _sign(s: str) -> int:
    return {"+": 1, "-": -1, "−": -1}.get(s, 0)


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


def _month_period(month: str, year: str) -> tuple[date, date]:
    first = date(_year(year), MONTHS[month.lower().rstrip(".")], 1)
    return first, month_end(first)


def _fy(text: str) -> tuple[date, date] | None:
    a, b = text.split("/")
    start = _year(a)
    if int(b) % 100 != (start + 1) % 100:
        return None
    p = Period.financial_year(start)
    return p.start, p.end


def _duration_seconds(text: str) -> tuple[Decimal, Decimal] | None:
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b", text, re.I)
    if not parts:
        return None
    total, smallest = Decimal(0), Decimal(3600)
    for number, unit in parts:
        size = {"h": 3600, "m": 60, "s": 1}[unit[0].lower()]
        total += Decimal(number) * size
        smallest = min(smallest, Decimal(size))
    return total, smallest


PATTERNS: list[tuple[str, re.Pattern]] = [
    ("money", re.compile(rf"([+\-−]?)£\s?({NUM})(?:\s*(million|billion|bn|m|k)\b)?", re.I)),
    (
        "duration",
        re.compile(
            rf"\b(?:(?:{NUM})\s*(?:hours?|hrs?|minutes?|mins?|seconds?|secs?)\b(?:\s*(?:and\s+)?)?)+"
            r"|\b\d+h \d+m \d+s\b|\b\d+m \d+s\b",
            re.I,
        ),
    ),
    ("percent_range", PERCENT_RANGE),
    ("in_every", IN_EVERY),
    ("fraction", FRACTION),
    (
        "points",
        re.compile(
            rf"([+\-−]?)({NUM})\s?(?:percentage points?|%\s?points?|pp(?:ts?)?|pts|points?)(?!\w)", re.I
        ),
    ),
    ("percent", re.compile(rf"([+\-−]?)({NUM})\s?(?:%|per ?cent\b)", re.I)),
    # "1 April 2018 to 31 March 2019", "January 18 - December 18", "Jan 17 – Dec 17"
    (
        "range",
        re.compile(
            rf"\b(?:{DAY_RE}\s+)?({MONTH_RE})\s+({YEAR_RE}|\d{{2}})(?![/\d]){DASH_RE}"
            rf"(?:{DAY_RE}\s+)?({MONTH_RE})\s+({YEAR_RE}|\d{{2}})(?![/\d])",
            re.I,
        ),
    ),
    ("date", re.compile(rf"\b({DAY_RE})\s+({MONTH_RE})(?:\s+({YEAR_RE}))?\b", re.I)),
    ("month", re.compile(rf"\b({MONTH_RE})\s+({YEAR_RE}|\d{{2}})\b(?![/\d%])", re.I)),
    (
        "quarter",
        re.compile(r"\b(?:Q([1-4])|quarter\s+([1-4]|one|two|three|four))\b", re.I),
    ),
    ("fy", re.compile(rf"(?<![\d/]){FY_RE}(?![\d/])")),
    ("year", re.compile(rf"(?<![\d/,.£]){YEAR_RE}(?![\d/%]|,\d)")),
    ("scaled", re.compile(rf"(?<![\w.,/£])([+\-−]?)({NUM})\s?(k|million|billion|bn)\b", re.I)),
    ("count_range", COUNT_RANGE),
    ("count", re.compile(rf"(?<![\w.,/£])([+\-−]?)({NUM})(st|nd|rd|th)?(?![\w%/]|\.\d|,\d)")),
    ("words", NUMBER_WORDS),
]
SCALES = {"k": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4}


def _claimed(taken: bytearray, start: int, end: int) -> bool:
    return any(taken[start:end])


def _claim(taken: bytearray, start: int, end: int) -> None:
    taken[start:end] = b"\x01" * (end - start)


def extract_figures(text: str) -> list[Figure]:
    """Every figure in a paragraph's plain text, in order of appearance."""
    figures: list[Figure] = []
    taken = bytearray(len(text))  # characters already part of a figure
    text = blank_footnotes(text)  # "1,241¹", "[2]": markers, not figures; offsets unchanged

    def add(fig: Figure) -> None:
        figures.append(fig)
        _claim(taken, fig.start, fig.end)

    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if _claimed(taken, start, end):
                continue
            fig = _figure(kind, m, text)
            if fig is not None:
                if fig.qualifier:
                    words = QUALIFIER_WORDS.search(text, max(0, fig.start - 40), fig.start)
                    fig.qualifier_words = " ".join(words.group(1).split()) if words else fig.qualifier
                add(fig)
            elif kind in ("date",):
                _claim(taken, start, end)  # "15th March": a date without a year, not a rank
    figures.sort(key=lambda f: f.start)
    return figures


def _figure(kind: str, m: re.Match, text: str) -> Figure | None:
    start, end = m.span()
    before_paren = text[:start].rstrip().endswith("(")
    after_paren = text[end:].lstrip().startswith(")")
    base = {"start": start, "end": end, "text": m.group(0), "parenthesised": before_paren and after_paren}
    return BUILDERS[kind](m, text, base)


def _money(m: re.Match, text: str, base: dict) -> Figure:
    scale = SCALES.get((m.group(3) or "").lower(), 1)
    qualifier = _qualifier(text, base["start"])
    decimals, units = _units(m.group(2), scale=Decimal(scale), loose=bool(qualifier) or scale > 1)
    value = _decimal(m.group(2)) * scale
    return Figure(
        kind="money", value=value, decimals=decimals, units=units, sign=_sign(m.group(1)),
        qualifier=qualifier, **base,
    )  # fmt: skip


def _duration(m: re.Match, text: str, base: dict) -> Figure | None:
    parsed = _duration_seconds(m.group(0))
    if parsed is None:
        return None
    start = base["start"]
    text_ = re.sub(r",?\s*(?:and\s*)?$", "", m.group(0))
    base.update(end=start + len(text_), text=text_)
    seconds, smallest = parsed
    return Figure(kind="duration", value=seconds, units=[smallest], qualifier=_qualifier(text, start), **base)


def _percent_or_points(kind: str):
    def build(m: re.Match, text: str, base: dict) -> Figure:
        qualifier = _qualifier(text, base["start"])
        decimals, units = _units(m.group(2), loose=bool(qualifier))
        return Figure(
            kind=kind, value=_decimal(m.group(2)), decimals=decimals, units=units, sign=_sign(m.group(1)),
            qualifier=qualifier, **base,
        )  # fmt: skip

    return build


def _range(m: re.Match, text: str, base: dict) -> Figure | None:
    first, _ = _month_period(m.group(1), m.group(2))
    _, last = _month_period(m.group(3), m.group(4))
    if last < first:
        return None
    return Figure(kind="period", period=(first, last), **base)


def _date(m: re.Match, text: str, base: dict) -> Figure | None:
    if not m.group(3):
        return None
    month = MONTHS[m.group(2).lower().rstrip(".")]
    day = int(re.match(r"\d+", m.group(1)).group(0))
    try:
        d = date(int(m.group(3)), month, day)
    except ValueError:
        return None
    return Figure(kind="date", period=(d, d), as_at=_as_at(text, base["start"], base), **base)


def _month(m: re.Match, text: str, base: dict) -> Figure:
    first, last = _month_period(m.group(1), m.group(2))
    as_at = _as_at(text, base["start"], base)
    span_end = bool(SPAN_TO.search(text, max(0, base["start"] - 40), base["start"]))
    period = (last, last) if as_at else (first, last)
    return Figure(kind="date", period=period, as_at=as_at, span_end=span_end, **base)


def _quarter(m: re.Match, text: str, base: dict) -> Figure | None:
    start, end = base["start"], base["end"]
    number = int(m.group(1)) if m.group(1) else WORD_NUMBERS.get(m.group(2).lower(), None) or int(m.group(2))
    follow = re.match(rf"(?:\s+and\s+(?:Q|quarter)\s*[1-4])?\s+(?:of\s+)?({FY_RE})\b", text[end:], re.I)
    if not follow:
        return None  # "Q4" alone names no year
    fy = _fy(follow.group(1))
    if fy is None:
        return None
    p = Period.quarter(fy[0].year, number)
    if not follow.group(0).lstrip().lower().startswith("and"):
        base.update(end=end + follow.end(), text=text[start : end + follow.end()])
    return Figure(kind="period", period=(p.start, p.end), **base)


def _financial_year(m: re.Match, text: str, base: dict) -> Figure | None:
    fy = _fy(m.group(0))
    return None if fy is None else Figure(kind="period", period=fy, **base)


def _calendar_year(m: re.Match, text: str, base: dict) -> Figure:
    y = int(m.group(0))
    return Figure(kind="year", period=(date(y, 1, 1), date(y, 12, 31)), **base)


def _number(kind: str):
    """Counts, changes and ranks ("11.6k", "1.2 million" are counts written to a scale)."""

    def build(m: re.Match, text: str, base: dict) -> Figure | None:
        start, end = base["start"], base["end"]
        number, suffix = m.group(2), m.group(3)
        if kind == "count" and suffix:
            return Figure(kind="rank", value=_decimal(number), **base)
        if kind == "count" and _is_label(text, start, number, m.group(1)):
            return None
        scale = Decimal(SCALES[suffix.lower()]) if kind == "scaled" else Decimal(1)
        qualifier = _qualifier(text, start)
        decimals, units = _units(number, scale=scale, loose=bool(qualifier) or kind == "scaled")
        sign = _sign(m.group(1))
        is_change = bool(sign) or bool(CHANGE_BEFORE.search(text[max(0, start - 60) : start]))
        is_change = is_change or bool(CHANGE_AFTER.match(text[end : end + 30]))
        return Figure(
            kind="change" if is_change else "count", value=_decimal(number) * scale, decimals=decimals,
            units=units, sign=sign, qualifier=qualifier, **base,
        )  # fmt: skip

    return build


def _percent_range(m: re.Match, text: str, base: dict) -> Figure:
    """'between 10 and 12%', '10–11%': any value in the range, at the precision written."""
    low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    decimals, units = _units(low)
    return Figure(
        kind="percent", value=_decimal(low), decimals=decimals, units=units,
        qualifier=_qualifier(text, base["start"]), bounds=(_decimal(low), _decimal(high)), **base,
    )  # fmt: skip


def _count_range(m: re.Match, text: str, base: dict) -> Figure | None:
    low, high = m.group(1), m.group(2)
    if YEARISH.fullmatch(low) and YEARISH.fullmatch(high) or _decimal(high) <= _decimal(low):
        return None  # "between 2017 and 2019": years, read as such
    decimals, units = _units(low)
    return Figure(
        kind="count", value=_decimal(low), decimals=decimals, units=units,
        bounds=(_decimal(low), _decimal(high)), **base,
    )  # fmt: skip


def _fraction(m: re.Match, text: str, base: dict) -> Figure | None:
    """'eight in ten', 'a third': a percentage with the tolerance its denominator allows."""
    if " out of " in m.group(0).lower() and any(c.isdigit() for c in m.group(0)):
        return None  # "36 out of 43 forces": a peer count, not a share
    if re.match(r"\s+(?:months?|years?|weeks?|days?|hours?|forces?)\b", text[base["end"] :], re.I):
        return None  # "4 in 12 months"
    parsed = fraction_percent(m)
    if parsed is None:
        return None
    share, tolerance = parsed
    return Figure(
        kind="percent", value=share, decimals=2, units=[tolerance * 2],
        bounds=(share - tolerance, share + tolerance), spelled=True, **base,
    )  # fmt: skip


def _words(m: re.Match, text: str, base: dict) -> Figure | None:
    """'twelve', 'two hundred and twenty-one': a count or change written in words."""
    value = words_value(m.group(0))
    if value is None or m.group(0).lower() in ("one", "zero"):
        return None  # "one of the", "one in …": too common to be a figure
    if re.match(
        r"[\s-]+(?:hours?|minutes?|seconds?|days?|weeks?|months?|years?|times)\b", text[base["end"] :], re.I
    ):
        return None  # "within two hours", "three years": a span of time, not a count
    if WORD_BEFORE.search(text[max(0, base["start"] - 20) : base["start"]]) and (
        WORD_BEFORE.search(text[max(0, base["start"] - 20) : base["start"]]).group(1).lower() in LABEL_WORDS
    ):
        return None  # "quarter three", "grade two"
    start, end = base["start"], base["end"]
    is_change = bool(CHANGE_BEFORE.search(text[max(0, start - 60) : start])) or bool(
        CHANGE_AFTER.match(text[end : end + 30])
    )
    return Figure(
        kind="change" if is_change else "count", value=Decimal(value), units=[Decimal(1)],
        qualifier=_qualifier(text, start), spelled=True, **base,
    )  # fmt: skip


BUILDERS = {
    "percent_range": _percent_range, "in_every": _fraction, "fraction": _fraction,
    "count_range": _count_range, "words": _words,
    "money": _money, "duration": _duration, "points": _percent_or_points("points"),
    "percent": _percent_or_points("percent"), "range": _range, "date": _date, "month": _month,
    "quarter": _quarter, "fy": _financial_year, "year": _calendar_year, "scaled": _number("scaled"),
    "count": _number("count"),
}  # fmt: skip


def _as_at(text: str, start: int, base: dict) -> bool:
    """True for an 'as at' date; the figure then spans the whole phrase ('as at the end of March 2018')."""
    lead = max(0, start - 30)
    m = AS_AT.search(text[lead:start])
    if m:
        base.update(start=lead + m.start(), text=text[lead + m.start() : base["end"]])
    return bool(m)


def _is_label(text: str, start: int, number: str, sign: str) -> bool:
    """'Grade 2', 'Quarter 3', '999 calls': numbers that name things rather than count them."""
    if sign:
        return False
    word = WORD_BEFORE.search(text[max(0, start - 20) : start])
    if word and word.group(1).lower() in LABEL_WORDS:
        return True
    if PER_BEFORE.search(text[max(0, start - 6) : start]):
        return True  # "62.4 crimes per 1,000 population": the base of a rate
    return number in PHONE_NUMBERS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop inside a number does not end one."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?](?=\s+[A-Z0-9£(“\"'])", text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans
