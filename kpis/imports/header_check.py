"""The header check the catalogue and the monthly observations layouts share: their known
columns, month headers, and misspelt headers counted towards the layout they were meant for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..cells import month_label, parse_month
from ..spreadsheets import column_letter
from .lookups import suggestions
from .problems import (
    HEADER_DUPLICATE,
    HEADER_MISSING,
    HEADER_MISSPELT,
    HEADER_UNKNOWN,
    MONTH_HEADER_TWICE,
    Problems,
)
from .table import Columns, HeaderRow, normalise_header

CATALOGUE_COLUMNS = (
    "code",
    "name",
    "category",
    "unit",
    "aggregation",
    "good_direction",
    "decimals",
    "description",
    "aliases",
    "national_rows",  # registered by kpis.national (catalogue_columns.py)
)
CATALOGUE_REQUIRED = ("code", "name", "category", "unit", "aggregation", "good_direction", "decimals")
LONG_COLUMNS = ("kpi_code", "month", "value")
WIDE_REQUIRED = ("kpi_code",)
# Descriptive columns analysts keep beside the figures are allowed and ignored.
OPTIONAL_OBSERVATION_COLUMNS = ("organisation", "kpi_name", "name")
KNOWN_COLUMNS = frozenset(CATALOGUE_COLUMNS) | set(LONG_COLUMNS) | set(OPTIONAL_OBSERVATION_COLUMNS)


@dataclass
class KnownHeaders:
    """A header row read against the known columns: what is where, and what is not known."""

    header: HeaderRow
    index: dict[str, int] = field(default_factory=dict)  # known column -> position
    months: dict[int, date] = field(default_factory=dict)  # position -> month
    unknown: list[tuple[int, str]] = field(default_factory=list)
    suggested: dict[int, str] = field(default_factory=dict)  # position -> the known column meant
    twice: list[tuple[str, int]] = field(default_factory=list)  # (message, position), once claimed

    @property
    def guessed(self) -> set[str]:
        """The known columns present, counting misspelt ones."""
        return set(self.index) | set(self.suggested.values())


def read_known_headers(header: HeaderRow) -> KnownHeaders:
    known = KnownHeaders(header)
    for pos, (raw, name) in enumerate(zip(header.cells, header.names, strict=True)):
        if not name:
            continue
        if name in KNOWN_COLUMNS:
            if name in known.index:
                other = column_letter(known.index[name])
                known.twice.append((HEADER_DUPLICATE.format(header=header.text(pos), other=other), pos))
            else:
                known.index[name] = pos
            continue
        month = parse_month(raw)
        if month is not None:
            other = next((p for p, m in known.months.items() if m == month), None)
            if other is not None:
                message = MONTH_HEADER_TWICE.format(month=month_label(month), other=column_letter(other))
                known.twice.append((message, pos))
            known.months[pos] = month
            continue
        known.unknown.append((pos, header.text(pos)))
    taken = set(known.index)
    for pos, text in known.unknown:
        close = suggestions(normalise_header(text), sorted(KNOWN_COLUMNS - taken), n=1)
        if close:
            known.suggested[pos] = close[0]
            taken.add(close[0])
    return known


def claim_columns(
    known: KnownHeaders, problems: Problems, *, layout: str, allowed, required, with_months: bool = False
) -> Columns:
    """The columns of the layout the header row was recognised as, reporting every header
    that is not one of its columns (misspelt ones with the column meant) and every
    required column missing."""
    header, row = known.header, known.header.row
    allowed = set(allowed)
    for message, pos in known.twice:
        problems.add(message, row, pos)
    for pos, text in known.unknown:
        meant = known.suggested.get(pos)
        if meant in allowed:
            problems.add(HEADER_MISSPELT.format(header=text, suggestion=meant), row, pos)
        else:
            problems.add(HEADER_UNKNOWN.format(header=text), row, pos)
    for name, pos in known.index.items():
        if name not in allowed:
            problems.add(HEADER_UNKNOWN.format(header=header.text(pos)), row, pos)
    if not with_months:
        for pos in known.months:
            problems.add(HEADER_UNKNOWN.format(header=header.text(pos)), row, pos)
    for name in required:
        if name not in known.index and name not in known.suggested.values():
            problems.add(HEADER_MISSING.format(name=name), row)
    return Columns(layout, dict(known.index), dict(known.months) if with_months else {})
