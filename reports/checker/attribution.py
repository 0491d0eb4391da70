"""Attribution before comparison: which KPI and which measure a figure claims to be.

The KPI, in order: a KPI named right after the figure ("2,521 knife crime offences"); the
KPI named nearest before it in its sentence, else after it; the subject of the previous
sentence when this one opens with "This", "It", "These" …; the section's only KPI when the
sentence counts nothing else. A figure that counts something else ("3,107 individual
persons", "675 searches resulting in an arrest"), or speaks of a part of the period ("in
March 2019", "for quarter 4"), is not attributed. The measure comes from `measures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .figures import Figure
from .matching import Candidate, as_decimal
from .measures import Claim, claim, clause_span, peer_claim, period_of
from .subjects import COUNTED_NOUNS, KpiRef, Mention, foreign_nouns, kpi_phrases, singular_form

PRONOUN_START = re.compile(r"^\W*(?:this|it|these|that|those|which|such)\b", re.I)
SUB_PERIOD = re.compile(r"\b(?:last|first|past|final)\s+(?:\d+|two|three|four|five|six)\s+months\b", re.I)
CUE_WORDS = {"fewer", "more", "less", "additional", "extra", "new", "further"}
NOUN_STOP = set(
    "in on at by for to from of with and or the a an is are was were has have had this that which when "
    "than compared throughout over during since per every each recorded received created completed "
    "carried dealt being been between across against into last previous prior same".split()
)  # fmt: skip
RESTRICTION = re.compile(r"^\s*(?:not|resulting|where|who|that were|which were)\b", re.I)
UNIT_KINDS = {
    "count": {"count"}, "change": {"count"}, "money": {"currency"}, "duration": {"seconds"},
    "percent": {"percent", "count", "currency", "seconds"}, "points": {"percent"}, "rank": None,
}  # fmt: skip
LEVELS = ("current", "previous")
# "13 a day", "14 searches per week": a rate over a span no table holds (a month is a monthly average)
OTHER_SPAN_AFTER = re.compile(
    r"\s*(?:[A-Za-z’'\-]+\s+){0,2}(?:a|an|per|each|every)\s+(?:day|week|hour|shift|night|weekend|fortnight)\b",
    re.I,
)
WORDS_AFTER = re.compile(r"\s*([A-Za-z’'\-]+)")


@dataclass
class Attribution:
    """A figure's claim: this KPI, this measure, found this way."""

    ref: KpiRef
    claim: Claim
    how: str  # named | named nearby | carried over | only KPI | beside


def build_refs(section_rows: list[dict], other_rows: list[dict]) -> list[KpiRef]:
    """The KPIs a paragraph may speak of: its section's table first, then every other with data."""
    refs, seen = [], set()
    for rows, in_section in ((section_rows, True), (other_rows, False)):
        for row in rows:
            code = row["kpi"]["code"]
            if code not in seen:
                seen.add(code)
                refs.append(KpiRef(row=row, in_section=in_section))
    categories: dict[str, int] = {}
    for ref in refs:
        category = ref.row["kpi"].get("category", "").lower()
        categories[category] = categories.get(category, 0) + 1
    for ref in refs:
        kpi = dict(ref.row["kpi"])
        if categories.get(kpi.get("category", "").lower(), 0) > 1:
            kpi["category"] = ""  # a category shared by several KPIs names none of them
        ref.phrases = kpi_phrases(kpi)
    return refs


def noun_after(text: str, fig: Figure, limit: int) -> tuple[int, str, bool]:
    """(where the noun starts, its head word, restricted?) for the words right after a figure."""
    pos, words, start = fig.end, [], None
    for m in WORDS_AFTER.finditer(text[fig.end : limit]):
        if m.start() != pos - fig.end:
            break
        word = m.group(1).lower()
        pos = fig.end + m.end()
        if not words and word in CUE_WORDS:
            continue
        if word in NOUN_STOP or len(words) >= 4:
            break
        start = fig.end + m.start(1) if start is None else start
        words.append(word)
        if word in COUNTED_NOUNS:
            break
    head = words[-1] if words else ""
    return (start or fig.end), head, bool(RESTRICTION.match(text[pos:limit]))


def _unit_fits(fig: Figure, ref: KpiRef) -> bool:
    units = UNIT_KINDS.get(fig.kind)
    return units is None or ref.unit in units


def subject(check, i: int, sentence: tuple[int, int], found: list[Mention]) -> tuple[KpiRef, str] | None:
    """The KPI figure `i` is about, and how the checker knows; None when it cannot tell."""
    text, fig = check.text, check.figures[i]
    noun_start, head, restricted = noun_after(text, fig, sentence[1])
    if restricted or head in ("months", "years", "weeks", "days", "month", "year"):
        return None
    if OTHER_SPAN_AFTER.match(text, fig.end, sentence[1]):
        return None
    direct = [
        m for m in found if noun_start <= m.start <= noun_start + 2 or fig.end <= m.start <= fig.end + 2
    ]
    if direct:
        return direct[0].ref, "named"
    before = [m for m in found if m.start < fig.start]  # or around it: "999 calls (80.3%) were answered"
    after = [m for m in found if m.start >= fig.end]
    chosen = (before[-1].ref, "named nearby") if before else (after[0].ref, "named nearby") if after else None
    if chosen is None:
        chosen = _carried_or_only(check, sentence, found, fig)
    if chosen is None:
        return None
    if peer_claim(text, fig, sentence) is not None:
        return chosen  # "6th out of the 8 most similar forces": the forces are the peer group
    counted = head in COUNTED_NOUNS or (len(head) > 3 and head.endswith("s") and not head.endswith("ss"))
    heads = chosen[0].named_heads if chosen[1].startswith("named") else chosen[0].heads
    if counted and singular_form(head) not in heads:
        return None  # "3,107 individual persons" in a sentence about missing person records
    return chosen


def _carried_or_only(check, sentence: tuple[int, int], found: list[Mention], fig: Figure):
    if found:
        return None
    index = check.sentences.index(sentence)
    carried = check.subjects.get(index - 1)
    if carried is not None and PRONOUN_START.match(check.text[sentence[0] : sentence[1]]):
        if not foreign_nouns(check.text, sentence, found, carried):
            return carried, "carried over"
        return None
    table = [r for r in check.refs if r.in_section]
    if len(table) == 1 and not foreign_nouns(check.text, sentence, found, table[0]):
        return table[0], "only KPI"
    if fig.kind in ("duration", "money"):  # "waited 1 min 24 secs": the table's only KPI in seconds
        same_unit = [r for r in table if _unit_fits(fig, r)]
        if len(same_unit) == 1 and not foreign_nouns(check.text, sentence, found, same_unit[0]):
            return same_unit[0], "only KPI in its unit"
    return None


def sub_period(check, sentence: tuple[int, int]) -> bool:
    """The sentence speaks of part of a period: a month, a quarter, 'the last 5 months'."""
    if SUB_PERIOD.search(check.text, sentence[0], sentence[1]):
        return True
    whole = {(check.report.start, check.report.end), (check.comparison.start, check.comparison.end)}
    for fig in check.figures:
        if fig.period and sentence[0] <= fig.start < sentence[1] and fig.kind in ("period", "date"):
            if fig.span_end and fig.period[1] in (check.report.end, check.comparison.end):
                continue  # "the year to November 2023": the month the report's period ends with
            if fig.period not in whole and not fig.as_at and (fig.period[1] - fig.period[0]).days < 300:
                return True
    return False


def attribute(check, i: int, sentence: tuple[int, int], found: list[Mention], partner) -> Attribution | None:
    """Figure `i`'s KPI and measure, or None when the words do not say."""
    fig = check.figures[i]
    if sub_period(check, sentence) and fig.kind != "rank":
        return None
    beside = check.attributions.get(partner) if partner is not None else None
    if fig.kind == "percent" and beside is not None and fig.parenthesised:
        ref, how = beside.ref, "beside"
    else:
        got = subject(check, i, sentence, found)
        if got is None:
            return None
        ref, how = got
    later = [f.start for f in check.figures[i + 1 :] if f.kind not in ("period", "date", "year")]
    clause = clause_span(check.text, fig, sentence, later[0] if later else len(check.text))
    period = period_of(check.text, fig, check.period_figures, clause)
    said = claim(check.text, fig, sentence, period, percent_kpi=ref.unit == "percent", clause=clause)
    if said.measure not in ("peer_rank", "peer_of", "peer_count") and not _unit_fits(fig, ref):
        return None  # "5 seconds" in a sentence about a count of calls: another measure
    return Attribution(ref=ref, claim=said, how=how)


def measure_value(ref: KpiRef, measure: str) -> Candidate | None:
    """The table's value for a KPI's measure, as a Candidate for the messages; None if it has none."""
    row, comp = ref.row, ref.row["comparison"]
    if measure in LEVELS:
        value = as_decimal(comp[measure]["value"])
        return None if value is None else Candidate(row, measure, value, comp[f"{measure}_display"])
    if measure in ("change", "percent_change"):
        value = as_decimal(comp[measure])
        return None if value is None else Candidate(row, measure, value, comp[f"{measure}_display"])
    if measure.startswith("monthly_"):
        return _monthly(ref, measure.removeprefix("monthly_"))
    if measure.startswith("peer_"):
        return _peer(ref, measure)
    return None


def _monthly(ref: KpiRef, base: str) -> Candidate | None:
    if ref.unit not in ("count", "currency"):
        return None
    comp = ref.row["comparison"]
    total = measure_value(ref, base)
    months = comp["previous" if base == "previous" else "current"]["months_expected"]
    if total is None or not months:
        return None
    average = total.value / months
    return Candidate(ref.row, f"monthly_{base}", average, f"{average:,.1f} a month", months)


def _peer(ref: KpiRef, measure: str) -> Candidate | None:
    peer = ref.row.get("peer")  # only rows with a peer group have one
    name = measure.removeprefix("peer_")
    if not peer:
        return None
    if name == "rank" and peer["rank"] is not None:
        return Candidate(ref.row, measure, Decimal(peer["rank"]), peer["display"])
    if name == "of" and peer["of"]:
        return Candidate(ref.row, measure, Decimal(peer["of"]), f"{peer['of']} forces")
    entry = peer.get(name) if isinstance(peer.get(name), dict) else None
    if entry and peer["measure"] == "value" and as_decimal(entry["value"]) is not None:
        return Candidate(ref.row, measure, as_decimal(entry["value"]), entry["display"])
    return None


def alternatives(fig: Figure, ref: KpiRef, measure: str) -> list[str]:
    """The other measures a figure of this kind could be, for weak claims and for naming a slip."""
    if fig.kind in ("percent",) and ref.unit != "percent":
        names = ["percent_change"]
    elif fig.kind == "rank":
        names = ["peer_rank"]
    elif measure.startswith("monthly_"):
        names = ["monthly_current", "monthly_previous", "monthly_change"]
    else:
        names = ["current", "previous", "change"]
        names += ["peer_highest", "peer_lowest", "peer_average"] if ref.unit == "percent" else []
    return [n for n in names if n != measure]
