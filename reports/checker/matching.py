"""Comparing a written figure with a table value at the precision it is written in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .figures import DIRECTION_BEFORE, FALL_WORDS, RISE_WORDS, Figure

DIRECTION_AFTER = re.compile(rf"^\s*(?:\w+\s+)?({RISE_WORDS}|{FALL_WORDS})\b", re.I)


def round_to_unit(value: Decimal, unit: Decimal) -> Decimal:
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit


def agreeing_unit(fig: Figure, data: Decimal) -> Decimal | None:
    """The rounding unit at which the written figure agrees with `data`, or None."""
    v, d = fig.value, abs(data)
    if fig.bounds is not None:
        return min(fig.units) if fig.bounds[0] <= d <= fig.bounds[1] else None
    if fig.qualifier == "over":
        top = max(fig.units)
        return top if v <= d < v + top else None
    if fig.qualifier == "under":
        top = max(fig.units)
        return top if v - top <= d < v else None
    for unit in fig.units:
        if round_to_unit(d, unit) == v:
            return unit
    return None


def as_decimal(value) -> Decimal | None:
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


def row_label(row: dict) -> str:
    return f"{row['kpi']['code']} {row['kpi']['name']}"


def candidates_for(fig: Figure, rows: list[dict], *, monthly: bool) -> list[Candidate]:
    """Table values this figure could be, most likely first."""
    values, changes, monthlies = [], [], []
    for row in rows:
        comp, unit = row["comparison"], row["kpi"]["unit"]
        cur, prev = as_decimal(comp["current"]["value"]), as_decimal(comp["previous"]["value"])
        change, pct = as_decimal(comp["change"]), as_decimal(comp["percent_change"])
        kind_units = {
            "count": {"count"}, "change": {"count"}, "money": {"currency"}, "duration": {"seconds"},
            "percent": {"percent"}, "points": {"percent"},
        }.get(fig.kind, set())  # fmt: skip
        if unit in kind_units and fig.kind != "points":
            for name, value in (("current", cur), ("previous", prev)):
                if value is not None:
                    values.append(Candidate(row, name, value, comp[f"{name}_display"]))
            # A row compared with peers: "the highest being 84% and the lowest being 68%".
            peer = row.get("peer") or {}

            if peer and peer["measure"] == "value":
                for name in ("highest", "lowest", "average"):
                    entry = peer[name] or {}
                    value = as_decimal(entry.get("value"))
                    if value is not None:
                        values.append(Candidate(row, f"peer_{name}", value, entry["display"]))
        peer = row.get("peer") or {}
        if fig.kind == "count" and peer.get("of"):
            values.append(Candidate(row, "peer_of", Decimal(peer["of"]), f"{peer['of']} forces"))
        if unit in kind_units and change is not None:
            changes.append(Candidate(row, "change", change, comp["change_display"]))
        if fig.kind == "percent" and pct is not None and unit != "percent":
            changes.append(Candidate(row, "percent_change", pct, comp["percent_change_display"]))
        if monthly and unit == "count" and fig.kind in ("count", "change"):
            # "around 310 a month" is a level, "140 more every month" a change: never crossed.
            names = ("change",) if fig.kind == "change" else ("current", "previous")
            for name in names:
                value = {"current": cur, "previous": prev, "change": change}[name]
                months = comp["previous" if name == "previous" else "current"]["months_expected"]
                if value is not None and months:
                    average = value / months
                    monthlies.append(
                        Candidate(row, f"monthly_{name}", average, f"{average:,.1f} a month", months)
                    )
    ordered = changes + values if fig.kind == "change" else values + changes
    return ordered + monthlies


def precision_words(unit: Decimal) -> str:
    if unit < 1:
        places = -unit.normalize().as_tuple().exponent
        return {1: "one decimal place", 2: "two decimal places"}.get(places, f"{places} decimal places")
    if unit == 1:
        return "the nearest whole number"
    return f"the nearest {unit:,.0f}"


def quoted(fig: Figure) -> str:
    return f"“{fig.qualifier_words or fig.qualifier} {fig.text}”" if fig.qualifier else fig.text


def direction_of(text: str, fig: Figure, sentence: tuple[int, int]) -> int:
    """+1 when the words around a figure describe a rise, -1 a fall, 0 when they do not say."""
    after = DIRECTION_AFTER.match(text[fig.end : fig.end + 25])
    words = [after.group(1)] if after else []
    if not words:
        before = list(DIRECTION_BEFORE.finditer(text[max(sentence[0], fig.start - 60) : fig.start]))
        words = [before[-1].group(1)] if before else []
    if not words:
        return 0
    return 1 if re.fullmatch(RISE_WORDS, words[0], re.I) else -1


def change_explained(row: dict) -> str:
    comp = row["comparison"]
    pct = as_decimal(comp["percent_change"])
    if pct is None:
        return comp["percent_change_display"]
    sign = "+" if pct > 0 else "-" if pct < 0 else ""
    return (
        f"{comp['percent_change_display']} ({comp['change_display'].lstrip('+-')} / "
        f"{comp['previous_display']} = {sign}{abs(pct):.2f}%)"
    )


def match_message(fig: Figure, cand: Candidate, unit: Decimal) -> str:
    row, comp = cand.row, cand.row["comparison"]
    where = f"{row_label(row)}, {cand.field.replace('_', ' ')}"
    if cand.field == "peer_rank":
        group = row["peer"]["group"]
        return f"The ranking shows {cand.display} ({row_label(row)} in {group}); {fig.text} agrees."
    if cand.field == "peer_of":
        return f"The peer comparison has {cand.display} ({row['peer']['group']})."
    if cand.field.startswith("peer_"):
        group = row["peer"]["group"]
        where = f"{row_label(row)}, {cand.field.removeprefix('peer_')} in {group}"
    if cand.field == "percent_change":
        shown = change_explained(row)
        exact = round_to_unit(abs(cand.value), Decimal(1)) == fig.value and fig.decimals == 0
        if exact:
            return f"The table shows {shown}; {fig.text} agrees."
        return f"The table shows {shown}; {fig.text} agrees at {precision_words(unit)}."
    if cand.field.startswith("monthly_"):
        base = cand.field.removeprefix("monthly_")
        total = comp.get(f"{base}_display", "")
        return (
            f"The table gives {total} ({row_label(row)}, {base}), {cand.value:,.1f} a month "
            f"({total.lstrip('+-')} / {cand.months}); {quoted(fig)} agrees."
        )
    if fig.bounds is not None:
        low, high = (f"{b.normalize():,f}" for b in fig.bounds)
        return f"The table shows {cand.display} ({where}); “{fig.text}” allows {low}–{high}, and agrees."
    if fig.qualifier:
        return f"The table shows {cand.display} ({where}); {quoted(fig)} agrees."
    if fig.value != abs(cand.value):
        return f"The table shows {cand.display} ({where}); {fig.text} agrees at {precision_words(unit)}."
    return f"Agrees with the table: {cand.display} ({where})."
