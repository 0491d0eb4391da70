"""The frozen snapshot of a publication as types (docs/snapshot.md), and a validator.

The snapshot is the contract between approval, rendering, the reader pages, the downloads
and the commentary checker. These TypedDicts say which keys it always has (readers use
`snapshot["key"]`, so a renamed key fails loudly) and which it may lack (`NotRequired`:
added after publications were frozen without them, or present only for some rows; readers
use `.get`). `validate_snapshot` walks these types; approval refuses to freeze a snapshot
it finds problems in (`reports.snapshot.freeze_snapshot`).

Adding a key: add it here (NotRequired when versions already frozen lack it) and to
docs/snapshot.md, in the same change as the builder.
"""

import types
from typing import (
    Any,
    Literal,
    NotRequired,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

Number = float  # JSON numbers: an int is accepted where a float is expected


# --------------------------------------------------------------------------- report
class PeriodInfo(TypedDict):
    start: str  # ISO date
    end: str
    label: str  # "2018/19"
    short_label: str  # "18/19"
    long_label: str  # "April 2018 – March 2019"


class Contact(TypedDict):
    name: str
    role: str
    email: str
    phone: str


class ReportInfo(TypedDict):
    title: str
    slug: str
    organisation: str
    audience: Literal["public", "panel"]
    marking: Literal["NOT PROTECTIVELY MARKED", "OFFICIAL", "OFFICIAL-SENSITIVE"]
    period: PeriodInfo
    comparison: PeriodInfo
    meeting_date: str | None
    contact: Contact
    data_note: str
    version: int | None  # None while in review
    change_note: str
    approved_by: str
    approved_at: str | None
    frozen_at: str


# --------------------------------------------------------------------------- KPI rows
class KpiInfo(TypedDict):
    code: str
    name: str
    category: str
    unit: Literal["count", "percent", "seconds", "currency"]
    decimals: int
    good_direction: Literal["up", "down", "neither"]
    description: str
    aliases: NotRequired[list[str]]  # added without a schema change


class PeriodValue(TypedDict):
    period: PeriodInfo
    value: str | None  # a decimal as text
    months_expected: int
    months_present: int
    source: Literal["months", "stated", "none"]
    note: str


class Comparison(TypedDict):
    current: PeriodValue
    previous: PeriodValue
    change: str | None
    percent_change: str | None
    current_display: str
    previous_display: str
    change_display: str
    percent_change_display: str
    notes: list[str]


class TrendKpi(TypedDict):
    code: str
    name: str
    unit: str
    decimals: int


class TrendSeries(TypedDict):
    label: str
    short_label: str
    values: list[Number | None]


class Trend(TypedDict):
    kpi: TrendKpi
    labels: list[str]
    months: list[str]
    previous_months: list[str]
    current: TrendSeries
    previous: TrendSeries


class SpcSignal(TypedDict):
    index: int
    month: str
    rule: Literal["beyond_limit", "shift", "trend", "two_of_three"]
    direction: Literal["up", "down"]


class Spc(TypedDict):
    mean: Number
    upper: Number
    lower: Number
    average_moving_range: Number
    points: int
    signals: list[SpcSignal]
    reading: str
    variation: Literal["common", "special-improvement", "special-concern", "special-neither"]


class MonthsRead(TypedDict):
    previous: int
    current: int


class Significance(TypedDict):
    """Schema 2: kpis.significance_result."""

    method: Literal["quasi-poisson", "exact", "normal", "not-tested"]
    previous: int | None
    current: int | None
    months: MonthsRead | None
    ratio: Number | None
    interval: list[Number] | None
    dispersion: Number | None
    pearson_dispersion: Number | None
    df: int | None
    t: Number | None
    z: Number | None
    p_value: Number | None
    level: Number
    significant: bool | None
    explanation: str
    fallback: str
    dispersion_note: str
    spc_note: NotRequired[str]  # for the reviewer's page


class SignificanceSchema1(TypedDict):
    """Schema 1: the two-count Poisson test only (reports.significance_display reads both)."""

    previous: int
    current: int
    method: Literal["exact", "normal"]
    z: Number | None
    p_value: Number
    level: Number
    significant: bool
    explanation: str
    spc_note: NotRequired[str]


class Analysis(TypedDict):
    spc: Spc | None
    significance: Significance | SignificanceSchema1 | None


class PeerFigure(TypedDict):
    name: str
    value: str
    display: str


class PeerMember(TypedDict):
    name: str
    value: str
    display: str
    rank: int
    is_home: bool


class PeerDates(TypedDict):
    start: str
    end: str


class Peer(TypedDict):
    """kpis.rankings.Ranking.as_dict()."""

    group: str
    kpi_code: str
    measure: Literal["value", "percent_change"]
    period_label: str
    period: PeerDates
    comparison_label: str
    direction: str
    rank: int | None
    of: int
    display: str
    direction_note: str
    highest: PeerFigure | None
    lowest: PeerFigure | None
    average: PeerFigure | None
    members: list[PeerMember]
    missing: list[str]
    home: str
    notes: list[str]


class Place(TypedDict):
    rank: int
    of: int
    tied: bool
    label: str


class RegionMember(TypedDict):
    name: str
    display: str


class RegionPosition(TypedDict):
    name: str
    forces: int
    way: str
    extreme: Literal["smallest", "largest", "only", ""]
    place: Place | None
    words: str
    missing: list[str]
    members: list[RegionMember]


class StandingPeriod(TypedDict):
    start: str
    end: str
    label: str


class Standing(TypedDict):
    """kpis.national_rankings.NationalStanding.as_dict(): the row's place among all forces."""

    group: str
    group_kind: Literal["national", "region"]
    group_size: int
    kpi_code: str
    home: str
    period: StandingPeriod
    comparison_label: str
    home_change: str | None
    home_display: str
    way: Literal["increase", "decrease", "no change"] | None
    of: int
    increasing: int
    decreasing: int
    unchanged: int
    rank_all: Place | None
    rank_same_way: Place | None
    direction: str
    direction_same_way: str
    region: RegionPosition | None
    missing: list[str]
    members: list[PeerMember]
    sources: list[str]
    notes: list[str]
    sentences: list[str]
    sentence: str


class KpiRow(TypedDict):
    anchor: str
    show_chart: bool
    kpi: KpiInfo
    comparison: Comparison
    trend: Trend
    analysis: Analysis
    peer: NotRequired[Peer]  # only for a row with a peer group
    standing: NotRequired[Standing]  # only for a row asking for a national standing


# --------------------------------------------------------------------------- sections
class SourceNote(TypedDict):
    figure: str
    occurrence: int
    note: str


class Paragraph(TypedDict):
    number: str
    anchor: str
    html: str
    text: str
    source_notes: NotRequired[list[SourceNote]]  # added without a schema change


class Term(TypedDict):
    term: str
    abbreviation: str
    anchor: str
    definition_html: str


class Section(TypedDict):
    anchor: str
    kind: Literal["narrative", "performance", "glossary"]
    number: str
    heading: str
    title: str
    intro_html: str
    paragraphs: list[Paragraph]
    rows: list[KpiRow]
    terms: list[Term]


# --------------------------------------------------------------------------- the rest
class CatalogueEntry(TypedDict):
    kpi: KpiInfo
    comparison: Comparison


class Figure(TypedDict):
    kpi_code: str
    kpi_name: str
    unit: str
    period_label: str
    period_start: str
    period_end: str
    value: str | None
    kind: Literal["period", "month"]


class Snapshot(TypedDict):
    schema: Literal[1, 2]
    report: ReportInfo
    sections: list[Section]
    figures: list[Figure]
    catalogue: NotRequired[list[CatalogueEntry]]  # added without a schema change


# --------------------------------------------------------------------------- validation
def validate_snapshot(data: Any, *, strict: bool = False) -> list[str]:
    """What is wrong with `data` as a Snapshot, one problem a line naming where:
    "sections[2].rows[0].peer: missing key 'rank'". Empty when it is a valid snapshot.

    Keys the types do not know are allowed (a key being added reads as unknown until its
    type is), unless `strict`: tests use it so that a renamed optional key is caught too.
    """
    return list(problems_with(data, Snapshot, "", strict=strict))


def problems_with(value: Any, expected: Any, path: str, *, strict: bool = False):
    """Yield what is wrong with `value` as the type `expected`, each naming its path."""
    origin = get_origin(expected)
    if is_typeddict(expected):
        yield from _typeddict_problems(value, expected, path, strict)
    elif origin in (Union, types.UnionType):
        yield from _union_problems(value, get_args(expected), path, strict)
    elif origin is Literal:
        if not any(value == option and type(value) is type(option) for option in get_args(expected)):
            choices = " | ".join(repr(option) for option in get_args(expected))
            yield f"{_where(path)}: {value!r} is not one of {choices}"
    elif origin is list:
        if not isinstance(value, list):
            yield f"{_where(path)}: expected a list, got {_kind(value)}"
            return
        (item_type,) = get_args(expected)
        for index, item in enumerate(value):
            yield from problems_with(item, item_type, f"{path}[{index}]", strict=strict)
    elif origin is dict:
        if not isinstance(value, dict):
            yield f"{_where(path)}: expected an object, got {_kind(value)}"
            return
        _, value_type = get_args(expected)
        for key, item in value.items():
            yield from problems_with(item, value_type, _join(path, str(key)), strict=strict)
    elif expected is Any:
        return
    elif not _is_instance(value, expected):
        yield f"{_where(path)}: expected {_name(expected)}, got {_kind(value)}"


def _typeddict_problems(value: Any, expected: type, path: str, strict: bool):
    if not isinstance(value, dict):
        yield f"{_where(path)}: expected an object ({expected.__name__}), got {_kind(value)}"
        return
    hints = get_type_hints(expected)
    for key in sorted(expected.__required_keys__ - value.keys()):
        yield f"{_where(path)}: missing key {key!r}"
    for key, item in value.items():
        if key in hints:
            yield from problems_with(item, hints[key], _join(path, key), strict=strict)
        elif strict:
            yield f"{_where(path)}: unexpected key {key!r}"


def _union_problems(value: Any, options: tuple, path: str, strict: bool):
    found = []
    for option in options:
        problems = list(problems_with(value, option, path, strict=strict))
        if not problems:
            return
        found.append((option, problems))
    shaped = [(o, p) for o, p in found if is_typeddict(o) and isinstance(value, dict)]
    if shaped:  # an object: what is wrong with it as the type it comes closest to
        yield from min(shaped, key=lambda pair: len(pair[1]))[1]
        return
    names = " | ".join(_name(option) for option in options)
    yield f"{_where(path)}: expected {names}, got {_kind(value)}"


def _is_instance(value: Any, expected: Any) -> bool:
    if expected is type(None):
        return value is None
    if isinstance(value, bool):
        return expected is bool
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def _name(expected: Any) -> str:
    if expected is type(None):
        return "null"
    if get_origin(expected) is not None:
        return str(expected).replace("typing.", "")
    return getattr(expected, "__name__", str(expected))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:80]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return path or "snapshot"
