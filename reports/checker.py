"""The commentary checker: do the figures in the text agree with the tables?

For each paragraph it finds the figures (counts, changes, percentages, percentage points,
money, durations, years and periods), and matches them against the KPI rows of the
paragraph's section and against the report's two periods:

- ``match``: the figure agrees with a table value (current, previous, volume change or %
  change, or a monthly average where the sentence speaks of months) at the precision it is
  written in (`+9.6%` agrees with 9.63%, and so does the table's `+10%`); qualifiers are
  understood: "over 11,000" agrees with 11,643, "around 310" with 309.7. A % beside a
  change that no table holds also passes when the paragraph's own totals give it
  ("6,565 … (-7%, a reduction of 462)": 462 / 7,027 = 6.57%); the message says so;
- ``mismatch``: the figure is tied to a KPI (a % given with a change that matches the table)
  but disagrees, or it describes a rise where the table shows a fall;
- ``period``: it names a period the report does not cover ("as at the end of March 2018" in
  a 2018/19 report, "the same quarter" in a report of whole years);
- ``unchecked``: no table value to check it against. A few unchecked figures still raise a
  question the checker can state honestly (``warning``), such as an unsigned % in a
  paragraph that signs its changes.

Everything here is pure: it reads dicts in the shape of docs/snapshot.md.
"""

from __future__ import annotations

import bisect
import calendar
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.html import strip_tags

from kpis.periods import Period, add_months, month_end

from .significance_claims import claim_findings

NO_SOURCE = "No figure in this section's table to check it against."
SAME_QUARTER = (
    "The report compares {current} with {previous}, whole periods of {months} months; "
    "“{text}” does not describe them."
)
AS_AT_OUTSIDE = "“{text}” is outside the report period {current} ({long})."
AS_AT_SUGGEST = " It is the end of {previous}; did you mean {month} {year}?"
PERIOD_OUTSIDE = "{text} is not a period of this report ({current} against {previous})."
DATE_OUTSIDE = (
    "{text} is outside the periods the report covers ({span}): fine for the date of an event, "
    "but the tables hold no figure for it."
)
RANGE_OTHER = (
    "{text} is not one of the report's periods ({current}, {previous}): its figures cannot be checked."
)


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


@dataclass
class Finding:
    """What the checker says about one figure of one paragraph."""

    paragraph: str
    start: int
    end: int
    text: str
    kind: str
    status: str  # match | mismatch | period | unchecked
    kpi_code: str = ""
    data_value: str = ""
    message: str = ""
    warning: str = ""

    @property
    def flagged(self) -> bool:
        """Needs a reviewer's attention: disagrees, wrong period, or an honest question."""
        return self.status in ("mismatch", "period") or bool(self.warning)

    def as_dict(self) -> dict:
        return {**asdict(self), "flagged": self.flagged}


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
            rf"\b(?:(?:{NUM})\s*(?:hours?|hrs?|minutes?|mins?|seconds?|secs?)\b(?:,?\s*(?:and\s+)?)?)+"
            r"|\b\d+h \d+m \d+s\b|\b\d+m \d+s\b",
            re.I,
        ),
    ),
    ("points", re.compile(rf"([+\-−]?)({NUM})\s?(?:percentage points?|pts|points?)\b", re.I)),
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
    ("year", re.compile(rf"(?<![\d/,.£]){YEAR_RE}(?![\d/%,])")),
    ("scaled", re.compile(rf"(?<![\w.,/£])([+\-−]?)({NUM})\s?(k|million|billion|bn)\b", re.I)),
    ("count", re.compile(rf"(?<![\w.,/£])([+\-−]?)({NUM})(st|nd|rd|th)?(?![\w%/]|\.\d|,\d)")),
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


def _figure(kind: str, m: re.Match, text: str) -> Figure | None:  # noqa: C901 - one branch per kind
    start, end = m.span()
    before_paren = text[:start].rstrip().endswith("(")
    after_paren = text[end:].lstrip().startswith(")")
    base = {"start": start, "end": end, "text": m.group(0), "parenthesised": before_paren and after_paren}
    if kind == "money":
        scale = SCALES.get((m.group(3) or "").lower(), 1)
        qualifier = _qualifier(text, start)
        decimals, units = _units(m.group(2), scale=Decimal(scale), loose=bool(qualifier) or scale > 1)
        value = _decimal(m.group(2)) * scale
        return Figure(
            kind="money", value=value, decimals=decimals, units=units, sign=_sign(m.group(1)),
            qualifier=qualifier, **base,
        )  # fmt: skip
    if kind == "duration":
        parsed = _duration_seconds(m.group(0))
        if parsed is None:
            return None
        text_ = re.sub(r",?\s*(?:and\s*)?$", "", m.group(0))
        base.update(end=start + len(text_), text=text_)
        seconds, smallest = parsed
        return Figure(
            kind="duration", value=seconds, units=[smallest], qualifier=_qualifier(text, start), **base
        )
    if kind in ("points", "percent"):
        qualifier = _qualifier(text, start)
        decimals, units = _units(m.group(2), loose=bool(qualifier))
        return Figure(
            kind=kind, value=_decimal(m.group(2)), decimals=decimals, units=units, sign=_sign(m.group(1)),
            qualifier=qualifier, **base,
        )  # fmt: skip
    if kind == "range":
        first, _ = _month_period(m.group(1), m.group(2))
        _, last = _month_period(m.group(3), m.group(4))
        if last < first:
            return None
        return Figure(kind="period", period=(first, last), **base)
    if kind == "date":
        if not m.group(3):
            return None
        month = MONTHS[m.group(2).lower().rstrip(".")]
        day = int(re.match(r"\d+", m.group(1)).group(0))
        try:
            d = date(int(m.group(3)), month, day)
        except ValueError:
            return None
        return Figure(kind="date", period=(d, d), as_at=_as_at(text, start, base), **base)
    if kind == "month":
        first, last = _month_period(m.group(1), m.group(2))
        as_at = _as_at(text, start, base)
        return Figure(kind="date", period=(last, last) if as_at else (first, last), as_at=as_at, **base)
    if kind == "quarter":
        number = (
            int(m.group(1)) if m.group(1) else WORD_NUMBERS.get(m.group(2).lower(), None) or int(m.group(2))
        )
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
    if kind == "fy":
        fy = _fy(m.group(0))
        return None if fy is None else Figure(kind="period", period=fy, **base)
    if kind == "year":
        y = int(m.group(0))
        return Figure(kind="year", period=(date(y, 1, 1), date(y, 12, 31)), **base)
    # counts, changes and ranks ("11.6k", "1.2 million" are counts written to a scale)
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


def _as_at(text: str, start: int, base: dict) -> bool:
    """True for an 'as at' date; the figure then spans the whole phrase ('as at the end of March 2018')."""
    lead = max(0, start - 30)
    m = re.search(r"\bas (?:at|of) (?:the )?(?:end of |close of )?$", text[lead:start], re.I)
    if m:
        base.update(start=lead + m.start(), text=text[lead + m.start() : base["end"]])
    return bool(m)


def _is_label(text: str, start: int, number: str, sign: str) -> bool:
    """'Grade 2', 'Quarter 3', '999 calls': numbers that name things rather than count them."""
    if sign:
        return False
    word = re.search(r"(\w+)\s*$", text[max(0, start - 20) : start])
    if word and word.group(1).lower() in LABEL_WORDS:
        return True
    return number in PHONE_NUMBERS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop inside a number does not end one."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?](?=\s+[A-Z0-9£(“\"'])", text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


# --------------------------------------------------------------------------- matching
def _round(value: Decimal, unit: Decimal) -> Decimal:
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit


def _agrees(fig: Figure, data: Decimal) -> Decimal | None:
    """The rounding unit at which the written figure agrees with `data`, or None."""
    v, d = fig.value, abs(data)
    if fig.qualifier == "over":
        top = max(fig.units)
        return top if v <= d < v + top else None
    if fig.qualifier == "under":
        top = max(fig.units)
        return top if v - top <= d < v else None
    for unit in fig.units:
        if _round(d, unit) == v:
            return unit
    return None


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass
class Candidate:
    row: dict
    field: str  # current | previous | change | percent_change | monthly_current | …
    value: Decimal
    display: str
    months: int = 0  # for a monthly average: the months the total is divided by


def _label(row: dict) -> str:
    return f"{row['kpi']['code']} {row['kpi']['name']}"


def _candidates(fig: Figure, rows: list[dict], *, monthly: bool) -> list[Candidate]:
    """Table values this figure could be, most likely first."""
    values, changes, monthlies = [], [], []
    for row in rows:
        comp, unit = row.get("comparison") or {}, row["kpi"].get("unit", "count")
        cur, prev = (
            _dec((comp.get("current") or {}).get("value")),
            _dec((comp.get("previous") or {}).get("value")),
        )
        change, pct = _dec(comp.get("change")), _dec(comp.get("percent_change"))
        kind_units = {
            "count": {"count"}, "change": {"count"}, "money": {"currency"}, "duration": {"seconds"},
            "percent": {"percent"}, "points": {"percent"},
        }.get(fig.kind, set())  # fmt: skip
        if unit in kind_units and fig.kind != "points":
            for name, value in (("current", cur), ("previous", prev)):
                if value is not None:
                    values.append(Candidate(row, name, value, comp.get(f"{name}_display", "")))
            # A row compared with peers: "the highest being 84% and the lowest being 68%".
            peer = row.get("peer") or {}

            if peer.get("measure", "value") == "value":
                for name in ("highest", "lowest", "average"):
                    entry = peer.get(name) or {}
                    value = _dec(entry.get("value"))
                    if value is not None:
                        values.append(Candidate(row, f"peer_{name}", value, entry.get("display", "")))
        peer = row.get("peer") or {}
        if fig.kind == "count" and peer.get("of"):
            values.append(Candidate(row, "peer_of", Decimal(peer["of"]), f"{peer['of']} forces"))
        if unit in kind_units and change is not None:
            changes.append(Candidate(row, "change", change, comp.get("change_display", "")))
        if fig.kind == "percent" and pct is not None and unit != "percent":
            changes.append(Candidate(row, "percent_change", pct, comp.get("percent_change_display", "")))
        if monthly and unit == "count" and fig.kind in ("count", "change"):
            # "around 310 a month" is a level, "140 more every month" a change: never crossed.
            names = ("change",) if fig.kind == "change" else ("current", "previous")
            for name in names:
                value = {"current": cur, "previous": prev, "change": change}[name]
                months = (comp.get("previous" if name == "previous" else "current") or {}).get(
                    "months_expected"
                )
                if value is not None and months:
                    average = value / months
                    monthlies.append(
                        Candidate(row, f"monthly_{name}", average, f"{average:,.1f} a month", months)
                    )
    ordered = changes + values if fig.kind == "change" else values + changes
    return ordered + monthlies


def _precision_words(unit: Decimal) -> str:
    if unit < 1:
        places = -unit.normalize().as_tuple().exponent
        return {1: "one decimal place", 2: "two decimal places"}.get(places, f"{places} decimal places")
    if unit == 1:
        return "the nearest whole number"
    return f"the nearest {unit:,.0f}"


def _quoted(fig: Figure) -> str:
    return f"“{fig.qualifier_words or fig.qualifier} {fig.text}”" if fig.qualifier else fig.text


def _direction_of(text: str, fig: Figure, sentence: tuple[int, int]) -> int:
    """+1 when the words around a figure describe a rise, -1 a fall, 0 when they do not say."""
    after = re.match(
        rf"^\s*(?:\w+\s+)?({RISE_WORDS}|{FALL_WORDS})\b(?!\s+than)", text[fig.end : fig.end + 25], re.I
    )
    words = [after.group(1)] if after else []
    if not words:
        before = list(DIRECTION_BEFORE.finditer(text[max(sentence[0], fig.start - 60) : fig.start]))
        words = [before[-1].group(1)] if before else []
    if not words:
        return 0
    return 1 if re.fullmatch(RISE_WORDS, words[0], re.I) else -1


def _change_explained(row: dict) -> str:
    comp = row["comparison"]
    pct = _dec(comp.get("percent_change"))
    if pct is None:
        return comp.get("percent_change_display", "")
    sign = "+" if pct > 0 else "-" if pct < 0 else ""
    return (
        f"{comp['percent_change_display']} ({comp['change_display'].lstrip('+-')} / "
        f"{comp['previous_display']} = {sign}{abs(pct):.2f}%)"
    )


def _match_message(fig: Figure, cand: Candidate, unit: Decimal) -> str:
    row, comp = cand.row, cand.row["comparison"]
    where = f"{_label(row)}, {cand.field.replace('_', ' ')}"
    if cand.field == "peer_of":
        return f"The peer comparison has {cand.display} ({row['peer'].get('group', 'the peer group')})."
    if cand.field.startswith("peer_"):
        group = row["peer"].get("group", "the peer group")
        where = f"{_label(row)}, {cand.field.removeprefix('peer_')} in {group}"
    if cand.field == "percent_change":
        shown = _change_explained(row)
        exact = _round(abs(cand.value), Decimal(1)) == fig.value and fig.decimals == 0
        if exact:
            return f"The table shows {shown}; {fig.text} agrees."
        return f"The table shows {shown}; {fig.text} agrees at {_precision_words(unit)}."
    if cand.field.startswith("monthly_"):
        base = cand.field.removeprefix("monthly_")
        total = comp.get(f"{base}_display", "")
        return (
            f"The table gives {total} ({_label(row)}, {base}), {cand.value:,.1f} a month "
            f"({total.lstrip('+-')} / {cand.months}); {_quoted(fig)} agrees."
        )
    if fig.qualifier:
        return f"The table shows {cand.display} ({where}); {_quoted(fig)} agrees."
    if fig.value != abs(cand.value):
        return f"The table shows {cand.display} ({where}); {fig.text} agrees at {_precision_words(unit)}."
    return f"Agrees with the table: {cand.display} ({where})."


def _finding(number: str, fig: Figure, status: str, **extra) -> Finding:
    return Finding(
        paragraph=number, start=fig.start, end=fig.end, text=fig.text, kind=fig.kind, status=status, **extra
    )


def _period_finding(  # noqa: C901 - the period rules read best side by side
    number: str, fig: Figure, report: Period, comparison: Period
) -> Finding:
    start, end = fig.period
    covered = (min(report.start, comparison.start), max(report.end, comparison.end))
    label = f"{report.label} against {comparison.label}"
    if fig.kind == "period":
        for p in (report, comparison):
            if (start, end) == (p.start, p.end):
                return _finding(number, fig, "match", data_value=p.label, message=f"{fig.text} is {p.label}.")
        inside = [p for p in (report, comparison) if p.start <= start and end <= p.end]
        if inside:
            return _finding(
                number,
                fig,
                "match",
                data_value=inside[0].label,
                message=f"{fig.text} is within {inside[0].label}.",
            )
        containing = [p for p in (report, comparison) if start <= p.start and p.end <= end]
        if containing and "/" in fig.text and (end - start).days < 370:
            return _finding(
                number, fig, "match", data_value=containing[0].label,
                message=f"{fig.text} is the financial year containing {containing[0].label}.",
            )  # fmt: skip
        if "/" in fig.text and not re.search(r"[a-z]", fig.text, re.I):  # a financial year
            return _finding(
                number, fig, "period", data_value=label,
                message=PERIOD_OUTSIDE.format(text=fig.text, current=report.label, previous=comparison.label),
            )  # fmt: skip
        if start <= covered[1] and end >= covered[0] and re.search(r"[a-z]", fig.text[:3], re.I):
            return _finding(
                number, fig, "unchecked", data_value=label,
                message=RANGE_OTHER.format(text=fig.text, current=report.label, previous=comparison.label),
            )  # fmt: skip
        return _finding(
            number, fig, "period", data_value=label,
            message=PERIOD_OUTSIDE.format(text=fig.text, current=report.label, previous=comparison.label),
        )  # fmt: skip
    if fig.as_at:
        if report.start <= end <= report.end:
            return _finding(
                number, fig, "match", data_value=report.label, message=f"{fig.text} is within {report.label}."
            )
        message = AS_AT_OUTSIDE.format(text=fig.text, current=report.label, long=report.long_label)
        if comparison.start <= end <= comparison.end:
            later = add_months(end.replace(day=1), 12)
            if report.contains(later):
                message += AS_AT_SUGGEST.format(
                    previous=comparison.label, month=calendar.month_name[later.month], year=later.year
                )
        return _finding(number, fig, "period", data_value=report.long_label, message=message)
    span = f"{Period(covered[0], covered[1]).long_label}"
    if covered[0] <= start and end <= covered[1]:
        which = report if report.start <= start and end <= report.end else comparison
        return _finding(
            number, fig, "match", data_value=which.label, message=f"{fig.text} is within {which.label}."
        )
    return _finding(
        number, fig, "unchecked", data_value=span, message=DATE_OUTSIDE.format(text=fig.text, span=span)
    )


def _same_period_findings(number: str, text: str, report: Period, comparison: Period) -> list[Finding]:
    """'the same quarter' or 'the same month' in a report that compares other periods."""
    findings = []
    kinds = {3: "quarter", 1: "month"}
    sentences = sentence_spans(text)
    starts = [s[0] for s in sentences]
    named_in: dict[tuple, bool] = {}
    for m in re.finditer(r"\bthe (?:same|equivalent|corresponding) (quarter|month)\b", text, re.I):
        kind = m.group(1).lower()
        if kinds.get(report.month_count) == kind:
            continue
        sentence = sentences[bisect.bisect_right(starts, m.start()) - 1]
        if (kind, sentence) not in named_in:
            named = QUARTER_NAMED if kind == "quarter" else MONTH_NAMED
            named_in[kind, sentence] = bool(named.search(text, sentence[0], sentence[1]))
        if named_in[kind, sentence]:
            continue  # "quarter 4 of 18/19 ... the equivalent quarter": a named part of the year
        message = SAME_QUARTER.format(
            current=report.label, previous=comparison.label, months=report.month_count, text=m.group(0)
        )
        findings.append(
            Finding(
                paragraph=number, start=m.start(), end=m.end(), text=m.group(0), kind="period",
                status="period", data_value=f"{report.label} against {comparison.label}", message=message,
            )
        )  # fmt: skip
    return findings


def _period(d: dict) -> Period:
    return Period(date.fromisoformat(d["start"]).replace(day=1), month_end(date.fromisoformat(d["end"])))


def check_paragraph(  # noqa: C901 - one pass over the figures, in reading order
    text: str,
    *,
    section_rows: list[dict],
    report_period: dict,
    comparison_period: dict,
    number: str = "",
) -> list[Finding]:
    """Every figure in `text` with what the section's rows and the report's periods say about it.

    `section_rows` are snapshot rows (docs/snapshot.md); the periods are snapshot period dicts.
    """
    report, comparison = _period(report_period), _period(comparison_period)
    figures = extract_figures(text)
    sentences = sentence_spans(text)

    starts = [s[0] for s in sentences]

    def sentence_of(fig: Figure) -> tuple[int, int]:
        return sentences[bisect.bisect_right(starts, fig.start) - 1]

    sentence_tests: dict[tuple, bool] = {}

    def nearby(sentence: tuple[int, int]) -> tuple[int, int]:
        """This sentence and the one before it: where a paragraph states the totals of a change."""
        index = sentences.index(sentence)
        return (sentences[max(index - 1, 0)][0], sentence[1])

    def sentence_has(pattern: re.Pattern, sentence: tuple[int, int]) -> bool:
        key = (pattern.pattern, sentence)
        if key not in sentence_tests:
            sentence_tests[key] = bool(pattern.search(text, sentence[0], sentence[1]))
        return sentence_tests[key]

    # Figures a percentage can belong to, per sentence, in order (figures are sorted by start).
    partner_kinds = ("count", "change", "money")
    by_sentence: dict[tuple[int, int], list[int]] = {}
    for j, other in enumerate(figures):
        if other.kind in partner_kinds:
            by_sentence.setdefault(sentence_of(other), []).append(j)

    findings: dict[int, Finding] = {}
    matched: dict[int, Candidate] = {}
    numeric = [f for f in figures if f.kind in ("count", "change", "percent", "points", "money", "duration")]

    # 1. counts, money and durations: tied to a table value when they agree with one.
    for i, fig in enumerate(figures):
        if fig.kind in ("period", "date", "year"):
            findings[i] = _period_finding(number, fig, report, comparison)
            continue
        if fig.kind == "rank":
            findings[i] = _rank_finding(number, fig, section_rows)
            continue
        if fig.kind == "percent":
            continue  # percentages are read with the figure they belong to (step 2)
        sentence = sentence_of(fig)
        monthly = sentence_has(MONTHLY, sentence)
        for cand in _candidates(fig, section_rows, monthly=monthly):
            unit = _agrees(fig, cand.value)
            if unit is not None:
                matched[i] = cand
                findings[i] = _finding(
                    number, fig, "match", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                    message=_match_message(fig, cand, unit),
                )  # fmt: skip
                break

    # 2. percentages: with the matched change beside them, or alone in their sentence.
    percents = [i for i, f in enumerate(figures) if f.kind == "percent"]
    for i in percents:
        fig = figures[i]
        sentence = sentence_of(fig)
        # The figure a % belongs to is the nearest by the gap between them: "£7,020.62 (+7%)".
        partners = by_sentence.get(sentence, [])
        at = bisect.bisect_left(partners, i)
        nearest = partners[max(at - 1, 0) : at + 1]
        partner = min(nearest, key=lambda j: _gap(figures[j], fig), default=None)
        rows = section_rows
        peer_cand = _peer_percent(fig, section_rows)
        if peer_cand is not None:
            cand, unit = peer_cand
            matched[i] = cand
            findings[i] = _finding(
                number, fig, "match", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                message=_match_message(fig, cand, unit),
            )  # fmt: skip
            continue
        if partner is not None:
            cand = matched.get(partner)
            if cand is None or cand.field != "change":
                own = None
                if cand is None and figures[partner].kind in ("count", "change"):
                    own = _own_arithmetic(text, figures, i, partner, nearby(sentence), sentence_of)
                findings[i] = own or _finding(number, fig, "unchecked", message=NO_SOURCE)
                if own:
                    own.paragraph = number
                continue
            rows = [cand.row]
        found = None
        for cand in _candidates(fig, rows, monthly=False):
            unit = _agrees(fig, cand.value)
            if unit is not None:
                found = (cand, unit)
                break
        if found:
            cand, unit = found
            matched[i] = cand
            findings[i] = _finding(
                number, fig, "match", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                message=_match_message(fig, cand, unit),
            )  # fmt: skip
        elif partner is not None and rows[0]["comparison"].get("percent_change") is not None:
            row = rows[0]
            findings[i] = _finding(
                number, fig, "mismatch", kpi_code=row["kpi"]["code"],
                data_value=row["comparison"]["percent_change_display"],
                message=f"The table shows {_change_explained(row)}; the text says {fig.text}.",
            )  # fmt: skip
        else:
            findings[i] = _finding(number, fig, "unchecked", message=NO_SOURCE)

    # 3. a change in the wrong direction disagrees however well its size matches.
    for i, cand in matched.items():
        fig = figures[i]
        if cand.field not in ("change", "percent_change", "monthly_change"):
            continue
        data = cand.value
        said = fig.sign or _direction_of(text, fig, sentence_of(fig))
        if said and data and (said > 0) != (data > 0):
            way = "a rise" if data > 0 else "a fall"
            findings[i] = _finding(
                number, fig, "mismatch", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                message=f"The table shows {cand.display}, {way}; the text describes "
                f"{'a rise' if said > 0 else 'a fall'}.",
            )  # fmt: skip

    # 4. the rest has no source; an unsigned % among signed ones is worth a question.
    signed = [f for f in numeric if f.kind == "percent" and f.sign and f.parenthesised]
    for i, fig in enumerate(figures):
        if i not in findings:
            findings[i] = _finding(number, fig, "unchecked", message=NO_SOURCE)
        finding = findings[i]
        if fig.kind == "percent" and finding.status == "unchecked" and not fig.sign and fig.parenthesised:
            sentence = sentence_of(fig)
            if signed and sentence_has(CHANGE_SENTENCE, sentence):
                finding.warning = _unsigned_percent_warning(fig, figures, sentence, signed[0])

    result = sorted(findings.values(), key=lambda f: f.start)
    result += _same_period_findings(number, text, report, comparison)
    result += [Finding(**claim) for claim in claim_findings(text, section_rows=section_rows, number=number)]
    return sorted(result, key=lambda f: f.start)


def _own_arithmetic(text, figures, i, j, span, sentence_of) -> Finding | None:
    """A % beside a change (or a total) that no table holds, checked against the paragraph's own totals.

    "6,565 domestic incidents … (-7%, a reduction of 462)": 462 / (6,565 + 462) = 6.57%, -7%.
    Only totals in the same or the previous sentence count, so a stray number elsewhere in a
    long paragraph cannot vouch for a percentage by coincidence. Returns None when none fits:
    the figure then stays unchecked (the checker cannot tell which totals belong to it).
    """
    pct, change = figures[i], figures[j]
    said = pct.sign or change.sign or _direction_of(text, change, sentence_of(change))
    said = said or _direction_of(text, pct, sentence_of(pct))
    unit, c = min(pct.units), change.value
    for k, total in enumerate(figures):
        if k in (i, j) or total.kind not in ("count", "change") or not span[0] <= total.start < span[1]:
            continue
        v = total.value
        if change.kind == "count":
            # Two totals ("153 … which stood at 161 (-5%)"): either may be the earlier one.
            tries = []
            for earlier, later in ((c, v), (v, c)):
                way = 1 if later > earlier else -1 if later < earlier else 0
                if not said or way == said:
                    tries.append((later - earlier, earlier, f"({later:,} - {earlier:,}) / {earlier:,}"))
        else:
            # A change and one total: the total is usually the current figure, else the earlier one.
            tries = [
                (
                    direction * c,
                    v - direction * c,
                    f"{'-' if direction < 0 else ''}{c:,} / ({v:,} {'-' if direction > 0 else '+'} {c:,})",
                )
                for direction in ((said,) if said else (1, -1))
            ] + [((said or 1) * c, v, f"{c:,} / {v:,}")]
        for difference, base, sum_text in tries:
            if base > 0 and _round(abs(difference) * 100 / base, unit) == pct.value:
                exact = difference * 100 / base
                return Finding(
                    paragraph="", start=pct.start, end=pct.end, text=pct.text, kind=pct.kind, status="match",
                    message=f"No table figure, but it agrees with the paragraph's own figures: {sum_text} = "
                    f"{exact:+.2f}%.",
                )  # fmt: skip
    return None


def _gap(a: Figure, b: Figure) -> int:
    return b.start - a.end if a.end <= b.start else a.start - b.end


def _implied(change: Decimal, pct: Decimal, unit: Decimal) -> tuple[int, int] | None:
    """Whole previous values N for which change / N rounds to pct at the written precision."""
    low_pct, high_pct = pct - unit / 2, pct + unit / 2
    if low_pct <= 0:
        return None
    low = math.ceil(change * 100 / high_pct)
    high = math.floor(change * 100 / low_pct)
    return (low, high) if low <= high else None


def _span(lo: int, hi: int) -> str:
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def _unsigned_percent_warning(fig: Figure, figures: list[Figure], sentence, signed: Figure) -> str:
    text = (
        f"{fig.text} has no sign, although this paragraph signs its other changes ({signed.text}), so "
        "a reader cannot tell a change from a share."
    )
    counts = [f for f in figures if f.kind in ("count", "change") and sentence[0] <= f.start < sentence[1]]
    if not counts:
        return text + " No table figure checks it."
    change = min(counts, key=lambda f: _gap(f, fig))
    c, unit = change.value, min(fig.units)
    as_fall = _implied(c, fig.value, unit)
    as_share = _implied(c, 100 - fig.value, unit) if fig.value < 100 else None
    readings = []
    if as_fall:
        lo, hi = as_fall
        readings.append(
            f"as a {fig.text} change, {change.text} implies {_span(lo, hi)} before and "
            f"{_span(lo - int(c), hi - int(c))} after"
        )
    if as_share:
        lo, hi = as_share
        after = _span(lo - int(c), hi - int(c))
        readings.append(f"as “now {fig.text} of before”, {_span(lo, hi)} before and {after} after")
    if not readings:
        return text + f" No whole numbers give a change of {change.text} at {fig.text}: check the arithmetic."
    return (
        text
        + " The tables hold no figure for it and the paragraph does not give the totals; "
        + "; ".join(readings)
        + ". Say which is meant."
    )


# --------------------------------------------------------------------------- whole snapshot
def _rank_finding(number: str, fig: Figure, rows: list[dict]) -> Finding:
    """'6th out of the 8 most similar forces' against a row's frozen peer ranking."""
    for row in rows:
        peer = row.get("peer") or {}
        if peer.get("rank") is None:
            continue
        where = f"{_label(row)} in {peer.get('group', 'the peer group')}"
        if Decimal(peer["rank"]) == fig.value:
            return _finding(
                number,
                fig,
                "match",
                kpi_code=row["kpi"]["code"],
                data_value=peer.get("display", ""),
                message=f"The ranking shows {peer.get('display', '')} ({where}); {fig.text} agrees.",
            )
        return _finding(
            number,
            fig,
            "mismatch",
            kpi_code=row["kpi"]["code"],
            data_value=peer.get("display", ""),
            message=f"The ranking shows {peer.get('display', '')} ({where}); the text says {fig.text}.",
        )
    return _finding(number, fig, "unchecked", message=NO_SOURCE)


def _peer_percent(fig: Figure, rows: list[dict]) -> tuple[Candidate, Decimal] | None:
    """A percentage that is one of a peer-ranked row's own figures (its value, highest, lowest)."""
    for row in rows:
        if not row.get("peer") or row["kpi"].get("unit") != "percent":
            continue
        for cand in _candidates(fig, [row], monthly=False):
            if cand.field.startswith("peer_") or cand.field == "current":
                unit = _agrees(fig, cand.value)
                if unit is not None:
                    return cand, unit
    return None


def check_snapshot(snapshot: dict) -> list[Finding]:
    """Findings for every narrative and performance paragraph of a snapshot, in order."""
    report = snapshot["report"]
    findings: list[Finding] = []
    for section in snapshot.get("sections", []):
        if section.get("kind") not in ("narrative", "performance"):
            continue
        rows = section.get("rows") or []
        for paragraph in section.get("paragraphs", []):
            text = paragraph.get("text") or " ".join(strip_tags(paragraph.get("html", "")).split())
            findings += check_paragraph(
                text,
                section_rows=rows,
                report_period=report["period"],
                comparison_period=report["comparison"],
                number=paragraph.get("number", ""),
            )
    return findings


def findings_by_paragraph(findings: list[Finding]) -> list[dict]:
    """[{"number", "findings", "flagged"}] in paragraph order, for templates."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.paragraph, []).append(f)
    return [
        {"number": number, "findings": items, "flagged": [f for f in items if f.flagged]}
        for number, items in groups.items()
    ]
