"""National standing sentences against a row's frozen standing (docs/snapshot.md, rows[].standing).

"36 out of all 43 forces are recording increases in recorded crime, out of those
Leicestershire is ranked 21st (where 1st is recording the largest percentage increase).
Leicestershire police are recording the smallest percentage increase in the region."

`check_standings` runs before figures are attributed: in a sentence about forces (not
the Most Similar Forces, which `peers` checks against the row's peer ranking) it reads
"N out of (all) M forces … increases" as a count of forces moving one way, a rank as the
force's rank by % change, and "(where 1st is … largest …)" as the way the ranking runs.
Each agrees with the standing, or disagrees with the likely slip named, or, when no row
of the section asks for a standing, cannot be checked. `region_claims` reads "the
smallest percentage increase in the region" (a claim without a figure) the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .findings import NO_SOURCE, Finding, figure_finding
from .subjects import mentions
from .verdict import digit_slip

CANNOT_CHECK = (
    "About how the force stands among all forces, but no row of this section asks for a national "
    "standing, so this cannot be checked. "
)
MOST_SIMILAR = re.compile(r"\bmost similar\b|\bsimilar forces\b|\bMSF\b|\bpeer", re.I)
FORCES_CONTEXT = re.compile(r"\bforces\b|\bnational(?:ly)?\b|\bEngland and Wales\b", re.I)
OUT_OF = re.compile(r"^\s*(?:out\s+)?of\s+(?:all\s+)?(?:the\s+)?$", re.I)
FORCES_AFTER = re.compile(r"^\s*(?:police\s+)?forces\b", re.I)
INCREASES = re.compile(r"\b(?:increas\w*|ris(?:e|es|ing)|rose|grow\w*|up)\b", re.I)
DECREASES = re.compile(r"\b(?:decreas\w*|reduc\w*|fall\w*|fell|drop\w*|declin\w*|down)\b", re.I)
RUNS_BEFORE = re.compile(r"\b(?:where|with)\s+$", re.I)
RUNS_AFTER = re.compile(r"^\s*(?:is|=|being|means|as)\b", re.I)
LARGEST = re.compile(r"\b(?:largest|highest|biggest|greatest|most)\b", re.I)
SMALLEST = re.compile(r"\b(?:smallest|lowest|least|fewest)\b", re.I)
ALL_FORCES = re.compile(r"\b(?:of|among(?:st)?)\s+all\b|\ball\s+(?:\d+\s+)?forces\b", re.I)
AMONG_THOSE = re.compile(r"\b(?:of|out of|among(?:st)?)\s+(?:those|them|these)\b", re.I)
REGION_CLAIM = re.compile(
    r"\b(?P<extreme>smallest|largest|lowest|highest|biggest|greatest)\s+(?:percentage\s+|%\s+)?"
    r"(?P<way>increase|rise|decrease|reduction|fall)s?\b[^.;]{0,40}?\b(?:in|across|within|of)\s+"
    r"(?:the|its|our)\s+region\b",
    re.I,
)
LARGEST_WORDS = ("largest", "highest", "biggest", "greatest")


def _way(words: str) -> str:
    return "increase" if words.lower() in ("increase", "rise") else "decrease"


def _context(standing: dict) -> str:
    return f"{standing.get('group', 'all forces')}, {standing['period']['label']} against " + (
        standing.get("comparison_label", "")
    )


def _standing_for(check, sentence: tuple[int, int]) -> dict | None:
    """The frozen standing a sentence speaks of: the named KPI's, else the section's only one."""
    rows = [row for row in check.rows if row.get("standing")]
    if len(rows) > 1:
        for mention in mentions(check.text, sentence, check.refs):
            if mention.ref.row.get("standing"):
                return mention.ref.row["standing"] | {"kpi_code": mention.ref.code}
    return rows[0]["standing"] if rows else None


def _claims(check, sentence: tuple[int, int]) -> list[tuple[int, str]]:
    """(figure index, "count" | "of" | "rank" | "runs") for the sentence's standing figures."""
    text = check.text
    found: list[tuple[int, str]] = []
    indexes = [i for i, f in enumerate(check.figures) if sentence[0] <= f.start < sentence[1]]
    for n, i in enumerate(indexes):
        fig = check.figures[i]
        if i in check.findings or fig.spelled:
            continue
        after = text[fig.end : min(sentence[1], fig.end + 120)]
        if fig.kind == "count" and n + 1 < len(indexes):
            other = check.figures[indexes[n + 1]]
            between = text[fig.end : other.start]
            later = text[other.end : sentence[1]]
            moving = INCREASES.search(later) or DECREASES.search(later)  # "… are recording increases"
            if other.kind == "count" and OUT_OF.match(between) and FORCES_AFTER.match(later) and moving:
                found += [(i, "count"), (indexes[n + 1], "of")]
        elif fig.kind == "rank":
            before = text[max(sentence[0], fig.start - 12) : fig.start]
            if RUNS_BEFORE.search(before) or RUNS_AFTER.match(after):
                found.append((i, "runs"))
            else:
                found.append((i, "rank"))
    return [(i, kind) for i, kind in found if i not in check.findings]


def _count_finding(check, i: int, standing: dict, sentence) -> Finding:
    fig = check.figures[i]
    later = check.text[fig.end : sentence[1]]
    rising, falling = INCREASES.search(later), DECREASES.search(later)  # the first way named after it
    way = "decrease" if falling and (not rising or falling.start() < rising.start()) else "increase"
    key, other_key = ("increasing", "decreasing") if way == "increase" else ("decreasing", "increasing")
    data, of = standing[key], standing["of"]
    shown = f"{data} of {of} forces recording {'an' if way == 'increase' else 'a'} {way}"
    where = f"The national standing ({_context(standing)}) shows {shown}"
    if fig.value == data:
        return _found(check, i, "match", standing, shown, f"{where}; {fig.text} agrees.", "standing_count")
    slip = f"it is the number recording {'a decrease' if way == 'increase' else 'an increase'}"
    slip = slip if fig.value == standing[other_key] else digit_slip(fig, Decimal(data))
    message = f"{where}; the text says {fig.text}" + (f" ({slip})." if slip else ".")
    return _found(check, i, "mismatch", standing, shown, message, "standing_count")


def _of_finding(check, i: int, standing: dict) -> Finding:
    fig, of = check.figures[i], standing["of"]
    missing = standing.get("missing") or []
    shown = f"{of} forces with figures" + (f" (no figure for {', '.join(missing)})" if missing else "")
    where = f"The national standing ({_context(standing)}) counts {shown}"
    if fig.value == of:
        return _found(check, i, "match", standing, shown, f"{where}; {fig.text} agrees.", "standing_of")
    slip = digit_slip(fig, Decimal(of))
    message = f"{where}; the text says {fig.text}" + (f" ({slip})." if slip else ".")
    return _found(check, i, "mismatch", standing, shown, message, "standing_of")


def _rank_shown(standing: dict, chosen: dict, everyone: dict | None) -> str:
    """'Leicestershire 21st of the 36 recording increases (1st = largest increase)'."""
    way = standing.get("way") or "increase"
    among = f"of {chosen['of']} forces" if chosen is everyone else f"of the {chosen['of']} recording {way}s"
    runs = standing["direction"] if chosen is everyone else standing["direction_same_way"]
    return f"{standing['home']} {chosen['label']} {among} ({runs})"


def rank_finding(check, i: int, standing: dict, sentence) -> Finding:
    """A rank against the force's rank among those moving its way, or among all forces.

    "out of those … ranked 21st" is a rank among those moving its way and nothing else;
    "ranked 21st of all forces" among all first; otherwise either agrees.
    """
    fig = check.figures[i]
    same, everyone = standing.get("rank_same_way"), standing.get("rank_all")
    among_those = AMONG_THOSE.search(check.text, sentence[0], sentence[1])
    of_all = ALL_FORCES.search(check.text, sentence[0], sentence[1]) and not among_those
    order = [r for r in ((everyone, same) if of_all else (same, everyone)) if r]
    if not order:
        message = "The standing has no rank for the force. " + NO_SOURCE
        return _found(check, i, "unsourced", standing, "", message, "standing_rank")
    tried = order[:1] if among_those else order
    chosen = next((r for r in tried if fig.value == r["rank"]), order[0])
    shown = _rank_shown(standing, chosen, everyone)
    where = f"The national standing ({_context(standing)}) ranks {shown}"
    if fig.value == chosen["rank"]:
        return _found(check, i, "match", standing, shown, f"{where}; {fig.text} agrees.", "standing_rank")
    slip = digit_slip(fig, Decimal(chosen["rank"]))
    if everyone and chosen is not everyone and fig.value == everyone["rank"]:
        slip = f"that is its rank among all {everyone['of']} forces"
    elif fig.value == chosen["of"] - chosen["rank"] + 1:
        slip = "that is the rank counted from the other end"
    message = f"{where}; the text says {fig.text}" + (f" ({slip})." if slip else ".")
    return _found(check, i, "mismatch", standing, shown, message, "standing_rank")


def _runs_finding(check, i: int, standing: dict, sentence) -> Finding:
    """'(where 1st is recording the largest percentage increase)': which way the ranking runs."""
    fig = check.figures[i]
    after = check.text[fig.end : sentence[1]].split(")")[0]
    runs = standing.get("direction_same_way") or standing["direction"]
    said_small, said_large = SMALLEST.search(after), LARGEST.search(after)
    rising, falling = bool(INCREASES.search(after)), bool(DECREASES.search(after))
    said_way = "increase" if rising and not falling else ("decrease" if falling and not rising else None)
    wrong_way = said_way is not None and not runs.endswith(said_way)
    where = f"The national standing ({_context(standing)}) runs {runs}"
    if fig.value == 1 and said_large and not said_small and not wrong_way:
        return _found(check, i, "match", standing, runs, f"{where}; the text agrees.", "standing_direction")
    return _found(
        check, i, "mismatch", standing, runs,
        f"{where}; the text says 1st is {after.strip()[:60]}.", "standing_direction",
    )  # fmt: skip


def _found(check, i: int, status: str, standing: dict, shown: str, message: str, measure: str) -> Finding:
    return figure_finding(
        check.number, check.figures[i], status, kpi_code=standing.get("kpi_code", ""),
        data_value=shown, message=message, measure=measure,
    )  # fmt: skip


def _peer_sentence(check, claims: list[tuple[int, str]], standing: dict | None) -> bool:
    """'6th out of the 8 forces' of a row compared with its peer group: the peer check's to judge."""
    peers = [row["peer"] for row in check.rows if row.get("peer")]
    if not peers:
        return False
    if standing is None:
        return True
    sizes = {check.figures[i].value for i, kind in claims if kind == "of"}
    return any(peer.get("of") in sizes for peer in peers) and standing["of"] not in sizes


def check_standings(check) -> None:
    """Figures of sentences about all forces: against the row's standing, or 'cannot be checked'."""
    for sentence in check.sentences:
        span = check.text[sentence[0] : sentence[1]]
        if MOST_SIMILAR.search(span) or not FORCES_CONTEXT.search(span):
            continue
        claims = _claims(check, sentence)
        if not claims:
            continue
        standing = _standing_for(check, sentence)
        if _peer_sentence(check, claims, standing):
            continue
        for i, kind in claims:
            if standing is None:
                check.unsourced(i, CANNOT_CHECK + NO_SOURCE)
            elif kind == "count":
                check.findings[i] = _count_finding(check, i, standing, sentence)
            elif kind == "of":
                check.findings[i] = _of_finding(check, i, standing)
            elif kind == "rank":
                check.findings[i] = rank_finding(check, i, standing, sentence)
            else:
                check.findings[i] = _runs_finding(check, i, standing, sentence)


def region_claims(check) -> list[Finding]:
    """'the smallest percentage increase in the region' against the standing's region (no figure).

    Without a standing there is nothing to check it against and no figure to count, so no
    finding is made.
    """
    rows = [row for row in check.rows if (row.get("standing") or {}).get("region")]
    if not rows:
        return []
    standing = rows[0]["standing"]
    region = standing["region"]
    out = []
    for m in REGION_CLAIM.finditer(check.text):
        extreme = "largest" if m["extreme"].lower() in LARGEST_WORDS else "smallest"
        way = _way(m["way"])
        agrees = way == region["way"] and region["extreme"] in (extreme, "only")
        said = f"the {extreme} {way} in the region"
        message = f"The national standing ({_context(standing)}) shows: {region['words']}; " + (
            f"the text's “{m[0]}” agrees." if agrees else f"the text says {said}."
        )
        out.append(
            Finding(
                paragraph=check.number,
                start=m.start(),
                end=m.end(),
                text=m[0],
                kind="rank",
                status="match" if agrees else "mismatch",
                kpi_code=rows[0]["kpi"]["code"],
                data_value=region["words"],
                message=message,
                measure="standing_region",
            )  # fmt: skip
        )
    return out
