"""Claims of significance in commentary, checked against the frozen significance test.

"A significant increase", "no statistically significant change", "not significant": when a
paragraph says a change is (or is not) significant, that is a claim about the test each KPI
row carries (`rows[].analysis.significance`, kpis.significance_result). This module finds
those claims, works out which row of the section a claim is about, and says whether the
test agrees.

"Significant" in its everyday sense ("a significant proportion", "significantly disrupted")
is not a claim about a change and is left alone: a claim needs "statistically", a negation
("no significant …", "not significant") or a word of change beside it ("significant rise",
"significantly lower", "a significant downward trend").

A claim is tied to a row by the KPI's name (its words, as written in the sentence or the one
before) and by the row's figures appearing there; with no such clue, or a tie, the claim is
reported as unchecked rather than guessed.

Pure: reads snapshot dicts (docs/snapshot.md), returns findings as dicts with the fields of
the commentary checker's `Finding` (paragraph, start, end, text, kind, status, kpi_code,
data_value, message, warning), kind "significance".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KIND = "significance"

CHANGE_WORDS = (
    r"increas\w*|rise|rises|rising|rose|risen|fall|falls|falling|fell|fallen|reduc\w*|decreas\w*|"
    r"drop\w*|declin\w*|grow\w*|grew|growth|chang\w*|differen\w*|trend\w*|shift\w*|higher|lower|"
    r"more|fewer|less|upward|downward|up|down|improv\w*|deteriorat\w*|worse|better"
)
RISE = re.compile(r"increas|rise|rising|rose|risen|grow|grew|higher|more|upward|\bup\b", re.I)
FALL = re.compile(r"fall|fell|reduc|decreas|drop|declin|lower|fewer|less|downward|\bdown\b", re.I)
SIGNIFICANT = re.compile(r"\b(?P<stat>statistically\s+)?(?P<word>(?:in)?significant(?:ly)?)\b", re.I)
NEGATION = re.compile(
    r"(?:\b(?:not|no|non|nor|without|never|neither)\b|n't\b)[\s-]*(?:\w+[\s-]+){0,2}$", re.I
)
CHANGE_AFTER = re.compile(rf"^(?:[\s-]+\w+){{0,2}}?[\s-]+({CHANGE_WORDS})\b", re.I)
# Before the word only a verb or noun of change counts ("rose significantly"): "makes up a
# significant proportion" is not about a change.
VERBS_OF_CHANGE = (
    r"increas\w*|rise|rises|rising|rose|risen|fall|falls|falling|fell|fallen|reduc\w*|decreas\w*|"
    r"drop\w*|declin\w*|grow\w*|grew|chang\w*|shift\w*|improv\w*|deteriorat\w*"
)
CHANGE_BEFORE = re.compile(rf"\b({VERBS_OF_CHANGE})\b(?:\s+\w+)?\s*$", re.I)
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9£(“\"'])")

NAME_STOPWORDS = {"number", "of", "the", "and", "volume", "all", "for", "with", "per", "by", "in", "to"}

UNATTRIBUTED = (
    "The checker cannot tell which KPI this is about: no row of this section is named in the sentence "
    "or the one before."
)
AMBIGUOUS = "The sentence could be about {codes}; the checker cannot tell which."
NO_TEST = "{code} has no significance test (only counts are tested), so the claim cannot be checked."
NOT_TESTED = "{code} is not tested for significance: {why}"
AGREES = "The significance test agrees. {explanation}"
CALLED_SIGNIFICANT = (
    "The text calls this change significant, but the significance test finds it {verdict}. {explanation}"
)
CALLED_NOT_SIGNIFICANT = (
    "The text says this change is not significant, but the significance test finds it {verdict}. "
    "{explanation}"
)
WRONG_WAY = "The text describes a {said}, but the table shows a {shown}. {explanation}"


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[A-Za-z]+|\d+", text)}


def _name_words(name: str) -> set[str]:
    return {w for w in _words(name) if w not in NAME_STOPWORDS and (len(w) > 2 or w.isdigit())}


def _figures(row: dict) -> set[Decimal]:
    comparison = row.get("comparison") or {}
    out = set()
    for value in (
        (comparison.get("current") or {}).get("value"),
        (comparison.get("previous") or {}).get("value"),
        comparison.get("change"),
    ):
        if value is not None:
            out.add(abs(Decimal(value)))
    if comparison.get("percent_change") is not None:
        out.add(abs(Decimal(comparison["percent_change"])).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return out


def _numbers(text: str) -> set[Decimal]:
    out = set()
    for m in NUMBER.finditer(text):
        try:
            out.add(Decimal(m.group().replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue
    return out


def _row_for(context: str, rows: list[dict]) -> tuple[dict | None, str]:
    """The row a claim is about (by name words and figures in `context`), or None and why."""
    words, numbers = _words(context), _numbers(context)
    scores = []
    for row in rows:
        name = _name_words(row["kpi"].get("name", ""))
        score = len(name & words) + 2 * len(_figures(row) & numbers)
        scores.append((score, row))
    best = max((score for score, _ in scores), default=0)
    if best == 0:
        return None, UNATTRIBUTED
    top = [row for score, row in scores if score == best]
    if len(top) > 1:
        return None, AMBIGUOUS.format(codes=" or ".join(row["kpi"]["code"] for row in top))
    return top[0], ""


def _claims(text: str):
    """(start, end, negative, direction) of each claim of significance about a change."""
    for m in SIGNIFICANT.finditer(text):
        word = m.group("word").lower()
        before = text[max(0, m.start() - 40) : m.start()]
        negation = NEGATION.search(before)
        statistical = bool(m.group("stat"))
        if word.startswith("in") and not statistical:
            continue  # "insignificant" in everyday use means "small"
        after = CHANGE_AFTER.match(text[m.end() : m.end() + 40])
        changed = after or CHANGE_BEFORE.search(before)
        if not (statistical or negation or changed):
            continue
        start = m.start() - (len(before) - negation.start()) if negation else m.start()
        end = m.end() + after.end() if after else m.end()
        words = after.group(1) if after else (changed.group(1) if changed else "")
        direction = 1 if RISE.search(words) else -1 if FALL.search(words) else 0
        negative = bool(negation) or word.startswith("in")
        yield start, end, negative, direction


def _verdict(sig: dict) -> str:
    if "fallback" not in sig:  # frozen before the test allowed for the monthly variation
        if sig["significant"]:
            return "larger than chance alone would explain"
        return "within what chance could explain"
    return "bigger than the usual variation" if sig["significant"] else "within the usual variation"


def _judge(sig: dict, negative: bool, direction: int) -> tuple[str, str]:
    explanation = sig.get("explanation", "")
    verdict = _verdict(sig)
    if sig["significant"] == negative:
        template = CALLED_NOT_SIGNIFICANT if negative else CALLED_SIGNIFICANT
        return "mismatch", template.format(verdict=verdict, explanation=explanation)
    totals = sig.get("previous"), sig.get("current")
    if direction and sig["significant"] and None not in totals:
        shown = (sig["current"] > sig["previous"]) - (sig["current"] < sig["previous"])
        if shown and shown != direction:
            said, way = ("rise", "fall") if direction > 0 else ("fall", "rise")
            return "mismatch", WRONG_WAY.format(said=said, shown=way, explanation=explanation)
    return "match", AGREES.format(explanation=explanation)


def claim_findings(text: str, *, section_rows: list[dict], number: str = "") -> list[dict]:
    """Findings (checker Finding fields, as dicts) for each claim of significance in `text`.

    `section_rows` are the snapshot rows of the paragraph's section; a section without KPI
    rows (a narrative section) has no test for a claim to be about, so gives no findings.
    """
    if not section_rows:
        return []
    sentences = _sentences(text)
    findings = []
    for start, end, negative, direction in _claims(text):
        index = max(i for i, (s, _) in enumerate(sentences) if s <= start)
        context = text[sentences[max(index - 1, 0)][0] : sentences[index][1]]
        finding = {
            "paragraph": number,
            "start": start,
            "end": end,
            "text": text[start:end],
            "kind": KIND,
            "status": "unchecked",
            "kpi_code": "",
            "data_value": "",
            "message": "",
            "warning": "",
        }
        row, why = _row_for(text[sentences[index][0] : sentences[index][1]], section_rows)
        if row is None:
            row, why = _row_for(context, section_rows)
        if row is None:
            finding["message"] = why
            findings.append(finding)
            continue
        code = row["kpi"]["code"]
        sig = row["analysis"]["significance"]
        finding["kpi_code"] = code
        if not sig:
            finding["message"] = NO_TEST.format(code=code)
        elif sig["significant"] is None:
            why = sig["explanation"].removeprefix("Not tested: ")
            finding["message"] = NOT_TESTED.format(code=code, why=why)
        else:
            finding["data_value"] = f"a change {_verdict(sig)}"
            finding["status"], finding["message"] = _judge(sig, negative, direction)
        findings.append(finding)
    return findings
