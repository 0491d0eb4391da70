"""Comparing an attributed figure with its measure, and saying what the slip probably is."""

from __future__ import annotations

from decimal import Decimal

from .attribution import Attribution, alternatives, measure_value
from .figures import Figure
from .matching import (
    Candidate,
    agreeing_unit,
    change_explained,
    precision_words,
    quoted,
    round_to_unit,
    row_label,
)

MEASURE_WORDS = {
    "current": "the {current} total", "previous": "the {previous} total", "level": "the total",
    "change": "the change", "percent_change": "the % change",
    "monthly_current": "the {current} monthly average", "monthly_previous": "the {previous} monthly average",
    "monthly_change": "the change in the monthly average", "share": "a share of it",
    "peer_rank": "a peer rank", "peer_of": "the size of a peer group", "peer_count": "a count of forces",
    "peer_highest": "the peer group's highest", "peer_lowest": "the peer group's lowest",
    "peer_average": "the peer group's average",
}  # fmt: skip


def measure_words(measure: str, labels: tuple[str, str]) -> str:
    return MEASURE_WORDS.get(measure, measure).format(current=labels[0], previous=labels[1])


def _try(fig: Figure, cand: Candidate | None) -> tuple[Candidate, Decimal] | None:
    if cand is None:
        return None
    if fig.kind == "rank":
        return (cand, Decimal(1)) if fig.value == cand.value else None
    unit = agreeing_unit(fig, cand.value)
    return None if unit is None else (cand, unit)


def judge(fig: Figure, att: Attribution) -> tuple[str, Candidate, Decimal | None, str]:
    """('match' | 'mismatch', the candidate, the agreeing unit, the slip) or ('none', …) when no data."""
    measure = att.claim.measure
    tried = ["current"] if measure == "level" else [measure]
    if measure.startswith("monthly_") and not att.claim.strong:
        tried += ["monthly_previous" if measure == "monthly_current" else "monthly_current"]
    cands = [c for c in (measure_value(att.ref, m) for m in tried) if c is not None]
    if not cands:
        return "none", None, None, ""
    for cand in cands:
        hit = _try(fig, cand)
        if hit:
            return "match", hit[0], hit[1], ""
    others = [c for c in (measure_value(att.ref, m) for m in alternatives(fig, att.ref, measure)) if c]
    for other in others:
        hit = _try(fig, other)
        if hit and not att.claim.strong:
            return "match", hit[0], hit[1], ""
        if hit:
            return "mismatch", cands[0], None, f"it is {hit[0].display}, {_field_words(hit[0].field)}"
    slip = digit_slip(fig, cands[0].value)
    if not slip and not att.claim.strong:  # the words were not sure: the nearest slip of any measure
        for other in others:
            if digit_slip(fig, other.value):
                return "mismatch", other, None, digit_slip(fig, other.value)
    return "mismatch", cands[0], None, slip


def _field_words(field: str) -> str:
    words = MEASURE_WORDS.get(field, field).format(current="this year's", previous="last year's")
    return words.replace("the this year's", "this year's").replace("the last year's", "last year's")


def _digits(value: Decimal, unit: Decimal) -> str:
    rounded = round_to_unit(abs(value), unit)
    places = max(0, -unit.normalize().as_tuple().exponent)
    return f"{rounded:.{places}f}".replace(".", "")


def digit_slip(fig: Figure, data: Decimal) -> str:
    """Digits swapped, a digit missing or added, or one digit wrong, when that is what it looks like."""
    if fig.qualifier or fig.kind in ("duration",) or not fig.units or fig.bounds is not None or fig.spelled:
        return ""
    unit = min(fig.units)
    want, said = _digits(data, unit), _digits(fig.value, unit)
    if len(want) == len(said):
        diff = [k for k in range(len(want)) if want[k] != said[k]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(want) == sorted(said):
            return "two digits look swapped"
        if len(diff) == 1:
            return "one digit differs"
    if len(said) == len(want) - 1 and any(want[:k] + want[k + 1 :] == said for k in range(len(want))):
        return "a digit looks missing"
    if len(said) == len(want) + 1 and any(said[:k] + said[k + 1 :] == want for k in range(len(said))):
        return "a digit looks added"
    return ""


def tolerance_words(fig: Figure) -> str:
    """What a qualified figure allows: 'around 310' is 305–315 when written to the nearest 10."""
    if fig.bounds is not None:
        low, high = (f"{b.normalize():,f}" for b in fig.bounds)
        return f"“{fig.text}” allows {low}–{high}"
    if not fig.qualifier or not fig.units:
        return ""
    top = max(fig.units)
    if fig.qualifier == "over":
        return (
            f"“{fig.qualifier_words} {fig.text}” means at least {fig.value:,} and under {fig.value + top:,}"
        )
    if fig.qualifier == "under":
        return (
            f"“{fig.qualifier_words} {fig.text}” means under {fig.value:,} and at least {fig.value - top:,}"
        )
    if fig.qualifier:
        low, high = fig.value - top / 2, fig.value + top / 2
        return (
            f"{quoted(fig)} is written to {precision_words(top)}, so it allows {low.normalize():,f}–"
            f"{high.normalize():,f}"
        )
    return ""


def mismatch_message(fig: Figure, att: Attribution, cand: Candidate, slip: str, labels) -> str:
    what = measure_words(cand.field if att.claim.measure != "level" else "level", labels)
    shown = cand.display or f"{cand.value:,}"
    if cand.field == "percent_change":
        shown = change_explained(cand.row)
    text = f"The text ties {fig.text} to {row_label(cand.row)} ({what}); the table gives {shown}"
    if cand.field.startswith("monthly_"):
        base = cand.field.removeprefix("monthly_")
        total = cand.row["comparison"][f"{base}_display"]
        text += f" ({total.lstrip('+-')} / {cand.months})"
    tolerance = tolerance_words(fig)
    if tolerance:
        return f"{text}. {tolerance}, which {shown} is not."
    if not fig.qualifier and fig.units and min(fig.units) != 1:
        text += f", which is not {fig.text} at {precision_words(min(fig.units))}"
    return f"{text}; {slip}." if slip else f"{text}."
