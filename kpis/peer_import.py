"""Peer figures: other forces' KPI values, through the same spreadsheet import.

`kpis.importing.spreadsheet_import` hands a sheet here when its headers are one of the two
peer layouts; reading, number parsing, the preview counts, the all-or-nothing rule and the
history are the same as for the force's own figures.

- long: `kpi_code, organisation, period_start, period_end, value` (optional `kpi_name`,
  `note`), one figure per row, for any stated period: `2018-01-01, 2018-12-31` for a
  survey year, or the same date twice for an "as at" figure;
- wide: `kpi_code, period, <force>, <force>, …`, one column per force (named by code or
  name), `period` written as a month (`2018-04`), a financial year (`2018/19`), a quarter
  (`Q3 2018/19`), a run of months (`Jan 2018 – Dec 2018`, `2018-01 to 2018-12`) or
  `as at 2019-03-31`. An empty cell means no figure for that force.

Monthly peer figures can equally use the ordinary long layout with an `organisation`
column (`kpi_code, organisation, month, value`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .cells import cell_text, parse_month
from .importing import (
    EMPTY_CELL,
    HEADER_DUPLICATE,
    HEADER_MISSING,
    HEADER_UNKNOWN,
    UNKNOWN_ORGANISATION,
    UNKNOWN_ORGANISATION_SUGGEST,
    _Columns,
    _kpi_lookup,
    _normalise_header,
    _ObservationImport,
    _OrganisationLookup,
    _Problems,
    _unknown_kpi,
    _value,
)
from .periods import Period, month_end, parse_financial_year
from .spreadsheets import column_letter

PEERS_LONG = "peers long"
PEERS_WIDE = "peers wide"
PEER_LAYOUTS = (PEERS_LONG, PEERS_WIDE)

LONG_REQUIRED = ("kpi_code", "organisation", "period_start", "period_end", "value")
IGNORED = ("kpi_name", "note", "notes", "source")

NOT_A_PERIOD = (
    "'{text}' is not a period: write a month (2018-04), a financial year (2018/19), a quarter "
    "(Q3 2018/19), a run of months (Jan 2018 – Dec 2018) or 'as at 2019-03-31'."
)
NOT_A_DATE = "'{text}' is not a date: write it as 2018-01-01 or 01/01/2018."
PERIOD_BACKWARDS = "The period ends ({end}) before it starts ({start})."
FIGURE_TWICE = "KPI {code} has a figure for {organisation} for {period} twice (first in row {first_row})."
ORGANISATION_COLUMN_TWICE = "Force '{header}' has two columns (also column {other})."

_RANGE_SPLIT = re.compile(r"\s+(?:to|-)\s+|\s*[–—]\s*", re.IGNORECASE)
_QUARTER = re.compile(r"^q([1-4])\s+(\S+)$", re.IGNORECASE)
_AS_AT = re.compile(r"^as\s+at\s+(.+)$", re.IGNORECASE)
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class PeerColumns(_Columns):
    """The columns of a peer sheet; for the wide layout, which column is which force."""

    organisations: dict[int, int] = field(default_factory=dict)  # position -> organisation id


# --------------------------------------------------------------------------- cells
def parse_day(value, *, end: bool = False) -> date | None:
    """A date cell or text ('2018-12-31', '31/12/2018'); a bare month means its first (or last) day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = _UK_DAY.match(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    month = parse_month(text) if text else None
    if month is None:
        return None
    return month_end(month) if end else month


def parse_period(value) -> tuple[date, date] | None:
    """(start, end) for a period cell, or None when it names no period (see the module doc)."""
    if isinstance(value, datetime | date):
        month = parse_month(value)
        return month, month_end(month)
    text = cell_text(value)
    if not text:
        return None
    m = _AS_AT.match(text)
    if m:
        day = parse_day(m.group(1))
        return (day, day) if day else None
    m = _QUARTER.match(text)
    if m:
        try:
            quarter = Period.quarter(parse_financial_year(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
        return quarter.start, quarter.end
    if re.fullmatch(r"\d{2,4}/\d{2}", text):
        try:
            year = Period.financial_year(parse_financial_year(text))
        except ValueError:
            return None
        return year.start, year.end
    parts = _RANGE_SPLIT.split(text)
    if len(parts) == 2:
        first, last = parse_month(parts[0].strip()), parse_month(parts[1].strip())
        if first is None or last is None or last < first:
            return None
        return first, month_end(last)
    month = parse_month(text)
    return (month, month_end(month)) if month else None


def period_text(start: date, end: date) -> str:
    if start == end:
        return f"as at {start.isoformat()}"
    return f"{start.isoformat()} to {end.isoformat()}"


# --------------------------------------------------------------------------- layout
def detect_peer_layout(headers: list, problems: _Problems, header_row: int) -> PeerColumns | None:
    """The peer layout the headers use, or None when they are not a peer sheet.

    Long: the headers name period_start and period_end. Wide: `kpi_code`, a period column,
    and every other column a force (at least one of them known).
    """
    from .models import Organisation

    names = [_normalise_header(h) for h in headers]
    if "period_start" in names or "period_end" in names:
        return _long_columns(headers, names, problems, header_row)
    if "kpi_code" not in names or "month" not in names:
        return None
    others = [
        (pos, cell_text(h)) for pos, (h, n) in enumerate(zip(headers, names, strict=True))
        if n and n not in ("kpi_code", "month", *IGNORED)
    ]
    if not others or any(parse_month(h) is not None or _normalise_header(h) == "value" for _, h in others):
        return None
    orgs = _OrganisationLookup(Organisation)
    if not any(text.lower() in orgs.by_key for _, text in others):
        return None
    columns = PeerColumns(PEERS_WIDE, {"kpi_code": names.index("kpi_code"), "period": names.index("month")})
    seen: dict[int, int] = {}
    for pos, text in others:
        org_id = orgs.by_key.get(text.lower())
        if org_id is None:
            labels = list({label.lower(): label for label in orgs.labels}.values())  # names win
            near = difflib.get_close_matches(text, labels, n=3, cutoff=0.6)
            message = (
                UNKNOWN_ORGANISATION_SUGGEST.format(text=text, suggestions=", ".join(f"'{n}'" for n in near))
                if near
                else UNKNOWN_ORGANISATION.format(text=text)
            )
            problems.add(message, header_row, pos)
        elif org_id in seen:
            other = column_letter(seen[org_id])
            problems.add(ORGANISATION_COLUMN_TWICE.format(header=text, other=other), header_row, pos)
        else:
            seen[org_id] = pos
            columns.organisations[pos] = org_id
    _duplicates(headers, names, problems, header_row)
    return columns


def _duplicates(headers, names, problems, header_row) -> None:
    first: dict[str, int] = {}
    for pos, name in enumerate(names):
        if not name:
            continue
        if name in first and name in (*LONG_REQUIRED, "month"):
            problems.add(
                HEADER_DUPLICATE.format(header=cell_text(headers[pos]), other=column_letter(first[name])),
                header_row,
                pos,
            )
        first.setdefault(name, pos)


def _long_columns(headers, names, problems, header_row) -> PeerColumns:
    index: dict[str, int] = {}
    for pos, name in enumerate(names):
        if not name or name in IGNORED:
            continue
        if name in LONG_REQUIRED:
            index.setdefault(name, pos)
        else:
            problems.add(HEADER_UNKNOWN.format(header=cell_text(headers[pos])), header_row, pos)
    for name in LONG_REQUIRED:
        if name not in index:
            problems.add(HEADER_MISSING.format(name=name), header_row)
    _duplicates(headers, names, problems, header_row)
    return PeerColumns(PEERS_LONG, index)


# --------------------------------------------------------------------------- plan and write
class PeerFigureImport(_ObservationImport):
    """Plan peer figures: one observation per KPI, force and stated period.

    Keys are (kpi_id, org_id, start, end); the observation import's `write` stores them
    (in bulk, with the same KPI-row locking and history).
    """

    BATCH_KIND = "peers"  # ImportBatch.Kind

    @staticmethod
    def read_existing(values: dict) -> dict:
        return _existing(values)

    @classmethod
    def plan(cls, *, body, headers, columns: PeerColumns, problems: _Problems) -> PeerFigureImport:
        from .models import Organisation

        kpis = _kpi_lookup()
        names = {pk: name for pk, name in Organisation.objects.values_list("pk", "name")}
        orgs = _OrganisationLookup(Organisation) if columns.layout == PEERS_LONG else None
        idx = columns.index
        values: dict[tuple, Decimal] = {}
        first_row: dict[tuple, int] = {}

        def cell(cells, pos):
            return cells[pos] if pos is not None and pos < len(cells) else None

        def header(pos):
            return cell_text(headers[pos])

        for number, cells in body:
            code = cell_text(cell(cells, idx["kpi_code"]))
            kpi_id = kpis.get(code)
            if kpi_id is None:
                message = _unknown_kpi(code, kpis) if code else EMPTY_CELL.format(name="KPI code")
                problems.add(message, number, idx["kpi_code"], header(idx["kpi_code"]))
            period = cls._period(cells, idx, columns.layout, number, problems, cell, header)
            if columns.layout == PEERS_LONG:
                org_pos = idx["organisation"]
                # Blank means the home force, as in the ordinary long layout.
                org_id = orgs.find(cell(cells, org_pos), number, org_pos, header(org_pos), problems)
                value_pos = idx["value"]
                value = _value(
                    cell(cells, value_pos), number, value_pos, header(value_pos), problems, empty_ok=False
                )
                raw = [(org_id, value_pos, value)]
            else:
                raw = [
                    (org_id, pos, _value(cell(cells, pos), number, pos, header(pos), problems, empty_ok=True))
                    for pos, org_id in columns.organisations.items()
                ]
            if kpi_id is None or period is None:
                continue
            for org_id, pos, value in raw:
                if org_id is None or value is None:
                    continue
                key = (kpi_id, org_id, *period)
                if key in values:
                    problems.add(
                        FIGURE_TWICE.format(
                            code=code,
                            organisation=names.get(org_id, "the home force"),
                            period=period_text(*period),
                            first_row=first_row[key],
                        ),
                        number,
                        pos,
                        header(pos),
                    )
                    continue
                values[key] = value
                first_row[key] = number
        existing = _existing(values) if not problems else {}
        return cls(values, existing)

    @staticmethod
    def _period(cells, idx, layout, number, problems, cell, header):
        if layout == PEERS_WIDE:
            pos = idx["period"]
            raw = cell(cells, pos)
            period = parse_period(raw)
            if period is None:
                text = cell_text(raw)
                message = NOT_A_PERIOD.format(text=text[:60]) if text else EMPTY_CELL.format(name="period")
                problems.add(message, number, pos, header(pos))
            return period
        ends = []
        for name in ("period_start", "period_end"):
            pos = idx[name]
            raw = cell(cells, pos)
            day = parse_day(raw, end=name == "period_end")
            if day is None:
                text = cell_text(raw)
                empty = EMPTY_CELL.format(name=name.replace("_", " "))
                message = NOT_A_DATE.format(text=text[:60]) if text else empty
                problems.add(message, number, pos, header(pos))
            ends.append(day)
        start, end = ends
        if start is None or end is None:
            return None
        if end < start:
            pos = idx["period_end"]
            problems.add(PERIOD_BACKWARDS.format(start=start, end=end), number, pos, header(pos))
            return None
        return start, end


def _existing(values: dict) -> dict:
    """{(kpi_id, org_id, start, end): (obs_id, value)} for the figures the file touches."""
    from .models import Observation

    if not values:
        return {}
    keys = set(values)
    starts = [k[2] for k in keys]
    qs = Observation.objects.filter(
        kpi_id__in={k[0] for k in keys},
        organisation_id__in={k[1] for k in keys},
        period_start__gte=min(starts),
        period_start__lte=max(starts),
    ).order_by()
    found = {}
    for pk, kpi_id, org_id, start, end, value in qs.values_list(
        "pk", "kpi_id", "organisation_id", "period_start", "period_end", "value"
    ):
        if (kpi_id, org_id, start, end) in keys:
            found[(kpi_id, org_id, start, end)] = (pk, value)
    return found
