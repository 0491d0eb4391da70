"""One paragraph at a time: figures, then what the tables and periods say about each.

`ParagraphCheck` holds what every step needs (the text, its figures and sentences, the
section's rows and the report's periods); each step is a small function over it, run in
reading order by `check_paragraph`. Extra per-paragraph checks go in `EXTRA_CHECKS`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from kpis.periods import Period
from reports.significance_claims import claim_findings

from .arithmetic import characters_between, own_arithmetic, unsigned_percent_warning
from .attribution import PRONOUN_START, Attribution, attribute, build_refs
from .figures import CHANGE_SENTENCE, MONTHLY, Figure, extract_figures, sentence_spans
from .findings import NO_SOURCE, Finding, figure_finding
from .matching import (
    Candidate,
    agreeing_unit,
    candidates_for,
    change_explained,
    direction_of,
    match_message,
    row_label,
)
from .notes import apply_source_notes
from .peers import peer_percent, rank_finding
from .periods import period_finding, period_from, same_period_findings
from .standings import check_standings, region_claims
from .subjects import KpiRef, mentions
from .verdict import judge, measure_words, mismatch_message

PARTNER_KINDS = ("count", "change", "money")
NUMERIC_KINDS = ("count", "change", "percent", "points", "money", "duration")


@dataclass
class ParagraphCheck:
    """One paragraph being checked: its text, figures, sentences, rows and periods."""

    text: str
    number: str
    rows: list[dict]
    report: Period
    comparison: Period
    refs: list[KpiRef] = field(default_factory=list)
    attributions: dict[int, Attribution] = field(default_factory=dict)
    subjects: dict[int, KpiRef] = field(default_factory=dict)  # sentence index -> its subject
    period_figures: list[tuple[Figure, str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    findings: dict[int, Finding] = field(default_factory=dict)
    matched: dict[int, Candidate] = field(default_factory=dict)
    _tests: dict[tuple, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.figures = extract_figures(self.text)
        self.sentences = sentence_spans(self.text)
        self._starts = [s[0] for s in self.sentences]

    def sentence_of(self, fig: Figure) -> tuple[int, int]:
        return self.sentences[bisect.bisect_right(self._starts, fig.start) - 1]

    def sentence_has(self, pattern: re.Pattern, sentence: tuple[int, int]) -> bool:
        key = (pattern.pattern, sentence)
        if key not in self._tests:
            self._tests[key] = bool(pattern.search(self.text, sentence[0], sentence[1]))
        return self._tests[key]

    def nearby(self, sentence: tuple[int, int]) -> tuple[int, int]:
        """This sentence and the one before it: where a paragraph states the totals of a change."""
        index = self.sentences.index(sentence)
        return (self.sentences[max(index - 1, 0)][0], sentence[1])

    def match(self, i: int, cand: Candidate, unit) -> None:
        fig = self.figures[i]
        self.matched[i] = cand
        self.findings[i] = figure_finding(
            self.number, fig, "match", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
            message=match_message(fig, cand, unit), measure=cand.field,
        )  # fmt: skip

    def unsourced(self, i: int, message: str = NO_SOURCE) -> None:
        self.findings[i] = figure_finding(self.number, self.figures[i], "unsourced", message=message)

    @property
    def labels(self) -> tuple[str, str]:
        return self.report.label, self.comparison.label


def _first_agreeing(fig: Figure, rows: list[dict], *, monthly: bool):
    for cand in candidates_for(fig, rows, monthly=monthly):
        unit = agreeing_unit(fig, cand.value)
        if unit is not None:
            return cand, unit
    return None


def check_periods(check: ParagraphCheck) -> None:
    """Periods, dates and years against the report's two periods."""
    whole = {
        (check.report.start, check.report.end): "current",
        (check.comparison.start, check.comparison.end): "previous",
    }
    for i, fig in enumerate(check.figures):
        if fig.kind in ("period", "date", "year"):
            check.findings[i] = period_finding(check.number, fig, check.report, check.comparison)
            if fig.period in whole:
                check.period_figures.append((fig, whole[fig.period]))


def attribute_figures(check: ParagraphCheck) -> None:
    """Each figure's KPI and measure, sentence by sentence, carrying the subject along."""
    partners = _partners(check)
    for index, sentence in enumerate(check.sentences):
        found = mentions(check.text, sentence, check.refs)
        last = None
        for i, fig in enumerate(check.figures):
            if not sentence[0] <= fig.start < sentence[1] or i in check.findings:
                continue
            partner = _partner(check, i, partners) if fig.kind == "percent" else None
            att = attribute(check, i, sentence, found, partner)
            if att is not None:
                check.attributions[i] = att
                last = att.ref
        subject = found[-1].ref if found else last
        if subject is None and PRONOUN_START.match(check.text[sentence[0] : sentence[1]]):
            subject = check.subjects.get(index - 1)  # "This includes …": still the same subject
        if subject is not None:
            check.subjects[index] = subject


def judge_attributed(check: ParagraphCheck) -> None:
    """An attributed figure agrees with its measure, or disagrees and the message says how."""
    for i, att in check.attributions.items():
        fig = check.figures[i]
        verdict, cand, unit, slip = judge(fig, att)
        if verdict == "match":
            check.match(i, cand, unit)
        elif verdict == "mismatch":
            check.findings[i] = figure_finding(
                check.number, fig, "mismatch", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                message=mismatch_message(fig, att, cand, slip, check.labels),
            )  # fmt: skip
        else:
            words = measure_words(att.claim.measure, check.labels)
            check.unsourced(
                i, f"About {row_label(att.ref.row)}, but the data holds no figure for {words}. " + NO_SOURCE,
            )  # fmt: skip
        check.findings[i].measure = cand.field if cand is not None else att.claim.measure
        check.findings[i].kpi_code = att.ref.code


def match_levels(check: ParagraphCheck) -> None:
    """Figures not attributed: tied to a section table value when they agree with one."""
    for i, fig in enumerate(check.figures):
        if i in check.findings:
            continue
        if fig.kind == "rank":
            check.findings[i] = rank_finding(check.number, fig, check.rows)
        elif fig.kind != "percent":  # percentages are read with the figure they belong to
            monthly = check.sentence_has(MONTHLY, check.sentence_of(fig))
            found = _first_agreeing(fig, check.rows, monthly=monthly)
            if found:
                check.match(i, *found)


def _partners(check: ParagraphCheck) -> dict:
    partners: dict[tuple[int, int], list[int]] = {}
    for j, other in enumerate(check.figures):
        if other.kind in PARTNER_KINDS:
            partners.setdefault(check.sentence_of(other), []).append(j)
    return partners


def _partner(check: ParagraphCheck, i: int, partners: dict) -> int | None:
    """The figure a % belongs to: the nearest by the gap between them ("£7,020.62 (+7%)")."""
    fig = check.figures[i]
    candidates = partners.get(check.sentence_of(fig), [])
    at = bisect.bisect_left(candidates, i)
    nearest = candidates[max(at - 1, 0) : at + 1]
    return min(nearest, key=lambda j: characters_between(check.figures[j], fig), default=None)


def match_percentages(check: ParagraphCheck) -> None:
    """Percentages: with the matched change beside them, or alone in their sentence."""
    partners = _partners(check)
    for i, fig in enumerate(check.figures):
        if fig.kind == "percent" and i not in check.findings:
            _match_percentage(check, i, _partner(check, i, partners))


def _match_percentage(check: ParagraphCheck, i: int, partner: int | None) -> None:
    fig = check.figures[i]
    peer = peer_percent(fig, check.rows)
    if peer is not None:
        check.match(i, *peer)
        return
    rows = check.rows
    if partner is not None:
        cand = check.matched.get(partner)
        if cand is None or cand.field != "change":
            own = None
            if cand is None and check.figures[partner].kind in ("count", "change"):
                span = check.nearby(check.sentence_of(fig))
                own = own_arithmetic(check.text, check.figures, i, partner, span, check.sentence_of)
            if own:
                own.paragraph = check.number
                check.findings[i] = own
            else:
                check.unsourced(i)
            return
        rows = [cand.row]
    found = _first_agreeing(fig, rows, monthly=False)
    if found:
        check.match(i, *found)
    elif partner is not None and rows[0]["comparison"]["percent_change"] is not None:
        row = rows[0]
        check.findings[i] = figure_finding(
            check.number, fig, "mismatch", kpi_code=row["kpi"]["code"],
            data_value=row["comparison"]["percent_change_display"],
            message=f"The table shows {change_explained(row)}; the text says {fig.text}.",
        )  # fmt: skip
    else:
        check.unsourced(i)


def check_directions(check: ParagraphCheck) -> None:
    """A change in the wrong direction disagrees however well its size matches."""
    for i, cand in check.matched.items():
        fig = check.figures[i]
        if cand.field not in ("change", "percent_change", "monthly_change"):
            continue
        data = cand.value
        said = fig.sign or direction_of(check.text, fig, check.sentence_of(fig))
        if said and data and (said > 0) != (data > 0):
            way = "a rise" if data > 0 else "a fall"
            check.findings[i] = figure_finding(
                check.number, fig, "mismatch", kpi_code=cand.row["kpi"]["code"], data_value=cand.display,
                message=f"The table shows {cand.display}, {way}; the text describes "
                f"{'a rise' if said > 0 else 'a fall'}.",
            )  # fmt: skip


def question_the_rest(check: ParagraphCheck) -> None:
    """The rest has no source; an unsigned % among signed ones is worth a question."""
    signed = [f for f in check.figures if f.kind == "percent" and f.sign and f.parenthesised]
    for i, fig in enumerate(check.figures):
        if fig.spelled and (i not in check.findings or check.findings[i].status == "unsourced"):
            check.findings.pop(i, None)  # "two of the forces": words no data speaks of are not figures
            continue
        if i not in check.findings:
            check.unsourced(i)
        finding = check.findings[i]
        if fig.kind == "percent" and finding.status == "unsourced" and not fig.sign and fig.parenthesised:
            sentence = check.sentence_of(fig)
            if signed and check.sentence_has(CHANGE_SENTENCE, sentence):
                finding.warning = unsigned_percent_warning(fig, check.figures, sentence, signed[0])


FIGURE_STEPS: list[Callable[[ParagraphCheck], None]] = [
    check_periods, check_standings, attribute_figures, judge_attributed, match_levels, match_percentages,
    check_directions, question_the_rest,
]  # fmt: skip


def _significance_claims(check: ParagraphCheck) -> list[Finding]:
    claims = claim_findings(check.text, section_rows=check.rows, number=check.number)
    return [Finding(**claim) for claim in claims]


# Further per-paragraph checks: each takes the ParagraphCheck and returns extra findings.
EXTRA_CHECKS: list[Callable[[ParagraphCheck], list[Finding]]] = [
    lambda check: same_period_findings(check.number, check.text, check.report, check.comparison),
    # "significant" / "not significant": claims about the frozen significance result.
    lambda check: _significance_claims(check),
    # "the smallest percentage increase in the region": against the row's national standing.
    region_claims,
]


def check_paragraph(
    text: str,
    *,
    section_rows: list[dict],
    report_period: dict,
    comparison_period: dict,
    number: str = "",
    other_rows: list[dict] = (),
    source_notes: list[dict] = (),
    refs: list[KpiRef] | None = None,
) -> list[Finding]:
    """Every figure in `text` with what the KPIs' figures and the report's periods say about it.

    `section_rows` are the section's table rows, `other_rows` every other KPI with figures for
    the report's periods (other tables and the snapshot's catalogue), in the shape of
    docs/snapshot.md; the periods are snapshot period dicts; `source_notes` are the
    paragraph's notes ({"figure", "occurrence", "note"}) for figures no data holds.
    """
    check = ParagraphCheck(
        text=text, number=number, rows=list(section_rows),
        report=period_from(report_period), comparison=period_from(comparison_period),
        refs=refs if refs is not None else build_refs(list(section_rows), list(other_rows)),
    )  # fmt: skip
    for step in FIGURE_STEPS:
        step(check)
    result = list(check.findings.values())
    for extra in EXTRA_CHECKS:
        result += extra(check)
    result.sort(key=lambda f: f.start)
    apply_source_notes(text, result, source_notes)
    return result


def snapshot_paragraphs(snapshot: dict) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    """(paragraph, its section's rows, every other KPI's row) for each checked paragraph."""
    every_row = [row for section in snapshot["sections"] for row in section["rows"]]
    every_row += snapshot.get("catalogue") or []  # frozen before it existed: none
    for section in snapshot["sections"]:
        if section["kind"] not in ("narrative", "performance"):
            continue
        rows = section["rows"]
        own = {id(row) for row in rows}
        others = [row for row in every_row if id(row) not in own]
        for paragraph in section["paragraphs"]:
            yield paragraph, rows, others


def paragraph_text(paragraph: dict) -> str:
    return paragraph["text"] or " ".join(strip_tags(paragraph["html"]).split())


def check_snapshot_paragraph(
    snapshot: dict, paragraph: dict, rows, others, text: str | None = None, refs=None
):
    """One paragraph of a snapshot (`text` to check other wording in its place)."""
    report = snapshot["report"]
    return check_paragraph(
        paragraph_text(paragraph) if text is None else text,
        section_rows=rows,
        report_period=report["period"],
        comparison_period=report["comparison"],
        number=paragraph["number"],
        other_rows=others,
        source_notes=paragraph.get("source_notes") or [],
        refs=refs,
    )


def check_snapshot(snapshot: dict) -> list[Finding]:
    """Findings for every narrative and performance paragraph of a snapshot, in order."""
    findings: list[Finding] = []
    # One list of KPIs per section, its phrases worked out once; the section's list of other
    # rows is kept alongside so its id cannot be reused while the dict lives.
    refs: dict[int, tuple[list, list[KpiRef]]] = {}
    for paragraph, rows, others in snapshot_paragraphs(snapshot):
        if id(others) not in refs:
            refs[id(others)] = (others, build_refs(list(rows), list(others)))
        findings += check_snapshot_paragraph(snapshot, paragraph, rows, others, refs=refs[id(others)][1])
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
