"""A percentage no table holds, read against the paragraph's own figures."""

from __future__ import annotations

import math
from decimal import Decimal

from .figures import Figure
from .findings import Finding
from .matching import direction_of, round_to_unit


def own_arithmetic(text, figures, i, j, span, sentence_of) -> Finding | None:
    """A % beside a change (or a total) that no table holds, checked against the paragraph's own totals.

    "6,565 domestic incidents … (-7%, a reduction of 462)": 462 / (6,565 + 462) = 6.57%, -7%.
    Only totals in the same or the previous sentence count, so a stray number elsewhere in a
    long paragraph cannot vouch for a percentage by coincidence. Returns None when none fits:
    the figure then stays unsourced (the checker cannot tell which totals belong to it).
    """
    pct, change = figures[i], figures[j]
    said = pct.sign or change.sign or direction_of(text, change, sentence_of(change))
    said = said or direction_of(text, pct, sentence_of(pct))
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
            if base > 0 and round_to_unit(abs(difference) * 100 / base, unit) == pct.value:
                exact = difference * 100 / base
                return Finding(
                    paragraph="", start=pct.start, end=pct.end, text=pct.text, kind=pct.kind, status="match",
                    message=f"No table figure, but it agrees with the paragraph's own figures: {sum_text} = "
                    f"{exact:+.2f}%.",
                )  # fmt: skip
    return None


def characters_between(a: Figure, b: Figure) -> int:
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


def unsigned_percent_warning(fig: Figure, figures: list[Figure], sentence, signed: Figure) -> str:
    text = (
        f"{fig.text} has no sign, although this paragraph signs its other changes ({signed.text}), so "
        "a reader cannot tell a change from a share."
    )
    counts = [f for f in figures if f.kind in ("count", "change") and sentence[0] <= f.start < sentence[1]]
    if not counts:
        return text + " No table figure checks it."
    change = min(counts, key=lambda f: characters_between(f, fig))
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
