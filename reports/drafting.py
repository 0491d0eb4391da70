"""Drafted sentences: a plain-English first line for a KPI row, for the editor to edit freely.

"999 calls rose by 11,643 (+8%) to 150,536 compared with 2017/18." The sentence is built
from the row's frozen comparison (docs/snapshot.md), so it always says what the table says,
at the table's precision.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NAME_PREFIXES = ("number of ", "volume of ", "count of ", "total number of ", "total ")


def short_name(name: str) -> str:
    """'Number of 999 Calls' -> '999 calls'; 'Volume of Positive Outcomes' -> 'Positive outcomes'."""
    text = name.strip()
    for prefix in NAME_PREFIXES:
        if text.lower().startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    words = text.split(" ")

    def lower(word: str) -> str:
        # Acronyms (ASB, CSE) and words with digits keep their case; Title Case words do not.
        if re.fullmatch(r"[A-Z][a-z’'\-]*", word):
            return word.lower()
        return word

    words = [words[0]] + [lower(w) for w in words[1:]]
    first = words[0]
    if re.fullmatch(r"[a-z].*", first):
        words[0] = first[0].upper() + first[1:]
    elif re.fullmatch(r"[A-Z][a-z’'\-]*", first):
        words[0] = first  # sentence case: the first word stays capitalised
    return " ".join(words)


def _in_sentence(name: str) -> str:
    """The name inside a sentence: 'Positive outcomes' -> 'positive outcomes', 'ASB' stays."""
    first, _, rest = name.partition(" ")
    if re.fullmatch(r"[A-Z][a-z’'\-]*", first):
        first = first.lower()
    return f"{first} {rest}".strip()


def _dec(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def duration_words(seconds: Decimal) -> str:
    """74 -> '1 minute 14 seconds'; 5 -> '5 seconds'; 3,660 -> '1 hour 1 minute'."""
    total = int(abs(seconds).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    for amount, word in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if amount:
            parts.append(f"{amount} {word}{'' if amount == 1 else 's'}")
    return " ".join(parts) or "0 seconds"


def _magnitude(display: str) -> str:
    return display.lstrip("+-−")


def _months_of(period_value: dict) -> str:
    """'figures for 11 of 12 months' when a period has some months but not all, else ''."""
    present, expected = period_value.get("months_present"), period_value.get("months_expected")
    if isinstance(present, int) and isinstance(expected, int) and 0 < present < expected:
        return f"figures for {present} of {expected} months"
    return ""


def draft_sentence(row: dict) -> str:
    """One sentence describing a snapshot row's change between its two periods."""
    kpi = row.get("kpi") or {}
    comp = row.get("comparison") or {}
    name = short_name(kpi.get("name") or kpi.get("code") or "This measure")
    unit = kpi.get("unit", "count")
    current, previous = comp.get("current") or {}, comp.get("previous") or {}
    cur_label = (current.get("period") or {}).get("label") or "this period"
    prev_label = (previous.get("period") or {}).get("label") or "the previous period"
    cur_value, prev_value = _dec(current.get("value")), _dec(previous.get("value"))
    change = _dec(comp.get("change"))

    def shown(value: Decimal | None, display: str) -> str:
        return duration_words(value) if unit == "seconds" and value is not None else display

    cur_text = shown(cur_value, comp.get("current_display", ""))
    prev_text = shown(prev_value, comp.get("previous_display", ""))

    cur_part, prev_part = _months_of(current), _months_of(previous)
    if cur_value is None and prev_value is None:
        if cur_part or prev_part:
            return (
                f"There is no total yet for {_in_sentence(name)}: {cur_label} has "
                f"{cur_part or 'no figures'} and {prev_label} {prev_part or 'no figures'}."
            )
        return f"There are no figures for {_in_sentence(name)} for {cur_label} or {prev_label}."
    if cur_value is None:
        if cur_part:
            return f"There is no {cur_label} total yet for {_in_sentence(name)}: it has {cur_part}."
        return f"There is no {cur_label} figure yet for {_in_sentence(name)}."
    if prev_value is None:
        compare = f"total to compare with ({prev_part})" if prev_part else "figure to compare with"
        return f"{name}: {cur_text} in {cur_label}; there is no {prev_label} {compare}."
    if change is None:
        return f"{name}: {cur_text} in {cur_label} against {prev_text} in {prev_label}."

    change_display = comp.get("change_display", "")
    if change == 0:
        return f"{name} stayed at {cur_text}, the same as in {prev_label}."
    if not change_display.startswith(("+", "-", "−")):
        # A change too small to show at the table's precision.
        return f"{name} stayed almost the same, at {cur_text}, compared with {prev_label}."

    verb = "rose" if change > 0 else "fell"
    if unit == "percent":
        points = _magnitude(change_display).replace(" pts", "")
        word = "point" if points in ("1", "1.0") else "points"
        by = f"{points} percentage {word}"
    elif unit == "seconds":
        by = duration_words(change)
    else:
        by = _magnitude(change_display)
        percent = comp.get("percent_change_display", "")
        if _dec(comp.get("percent_change")) is not None and percent:
            by += f" ({percent})"
    tail = " (from zero)" if prev_value == 0 and unit != "percent" else ""
    return f"{name} {verb} by {by} to {cur_text} compared with {prev_label}{tail}."


def draft_sentences(snapshot: dict) -> list[dict]:
    """[{"section", "code", "name", "sentence"}] for every KPI row, for the editor to copy from."""
    return [
        {
            "section": section["title"] or section["heading"],
            "code": row["kpi"]["code"],
            "name": row["kpi"]["name"],
            "sentence": draft_sentence(row),
        }
        for section in snapshot["sections"]
        for row in section["rows"]
    ]
