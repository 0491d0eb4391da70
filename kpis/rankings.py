"""Where a force stands among its peers: rank, highest, lowest and average for one KPI.

A ranking reads each member's value the same way the KPI table does (`series.period_value`:
months combined, or the figure stated for exactly that period), divides by population for
KPIs ranked per 1,000 people, and orders by the KPI's good direction so that rank 1 is
always the best. Forces without a figure are left out and named, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from .comparison import compare_values
from .formatting import NO_FIGURE, format_change, format_percent_change, format_value
from .models import Observation, Organisation, Population
from .periods import Period, month_end
from .series import PeriodValue, period_value

VALUE = "value"
PERCENT_CHANGE = "percent_change"
MEASURES = (VALUE, PERCENT_CHANGE)

RATE_DECIMALS = 2
PERCENT_CHANGE_DECIMALS = 1
PER = Decimal(1000)

UNKNOWN_MEASURE = "A ranking measures 'value' or 'percent_change'."
NEEDS_COMPARISON = "A percentage-change ranking needs a comparison period."
NO_HOME_FIGURE = "No figure for this force"
NO_POPULATION = "{name}: no population figure for {year} or earlier, so no rate."
OLDER_POPULATION = "{name}: rate uses the {used} population (no {year} figure yet)."
RATE_NOTE = "Rates per 1,000 population use mid-{year} population estimates."
TIE_NOTE = "Equal figures share a rank (1, 2, 2, 4)."


@dataclass
class Standing:
    """One member's ranked figure."""

    name: str
    value: Decimal
    display: str
    rank: int = 0
    is_home: bool = False
    organisation_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "value": str(self.value),
            "display": self.display,
            "rank": self.rank,
            "is_home": self.is_home,
        }


@dataclass
class Ranking:
    """A KPI ranked across a peer group for one period: what a peer column and chart show."""

    group_name: str
    rank_prefix: str
    kpi_code: str
    measure: str
    period_start: date
    period_end: date
    period_label: str
    comparison_label: str
    direction: str
    direction_note: str
    members: list[Standing]  # in rank order (ties by name)
    missing: list[str]
    home_name: str
    notes: list[str] = field(default_factory=list)
    average_display: str = NO_FIGURE
    average: Decimal | None = None

    @property
    def home(self) -> Standing | None:
        return next((m for m in self.members if m.is_home), None)

    @property
    def rank(self) -> int | None:
        home = self.home
        return home.rank if home else None

    @property
    def of(self) -> int:
        """How many forces were ranked (the ones with a figure)."""
        return len(self.members)

    @property
    def display(self) -> str:
        """'MSF rank 6 of 8' (or why there is no rank)."""
        if self.rank is None:
            return f"{self.rank_prefix}: {NO_HOME_FIGURE.lower()}"
        return f"{self.rank_prefix} rank {self.rank} of {self.of}"

    def _extreme(self, highest: bool) -> dict | None:
        if not self.members:
            return None
        target = (max if highest else min)(m.value for m in self.members)
        named = [m for m in self.members if m.value == target]
        return {
            "name": ", ".join(m.name for m in named),
            "value": str(target),
            "display": named[0].display,
        }

    @property
    def highest(self) -> dict | None:
        return self._extreme(True)

    @property
    def lowest(self) -> dict | None:
        return self._extreme(False)

    def as_dict(self) -> dict:
        """JSON-safe form, frozen into a publication (row["peer"])."""
        return {
            "group": self.group_name,
            "kpi_code": self.kpi_code,
            "measure": self.measure,
            "period_label": self.period_label,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "comparison_label": self.comparison_label,
            "direction": self.direction,
            "rank": self.rank,
            "of": self.of,
            "display": self.display,
            "direction_note": self.direction_note,
            "highest": self.highest,
            "lowest": self.lowest,
            "average": None
            if self.average is None
            else {"name": "Group average", "value": str(self.average), "display": self.average_display},
            "members": [m.as_dict() for m in self.members],
            "missing": list(self.missing),
            "home": self.home_name,
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- periods
def _as_period(period) -> tuple[Period | None, date, date]:
    """A Period, or a (start, end) pair that may be any stated range such as an 'as at' date."""
    if isinstance(period, Period):
        return period, period.start, period.end
    start, end = period
    try:
        return Period(start, end), start, end
    except ValueError:
        return None, start, end


def _label(whole: Period | None, start: date, end: date) -> str:
    if whole is not None:
        return whole.label
    if start == end:
        return f"as at {end:%-d %B %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def _stated_values(*, kpi, organisations, start: date, end: date) -> dict[int, Decimal]:
    rows = Observation.objects.filter(
        kpi=kpi, organisation__in=organisations, period_start=start, period_end=end
    ).values_list("organisation_id", "value")
    return dict(rows)


def _values(*, kpi, organisations, period) -> dict[int, PeriodValue | Decimal | None]:
    """Each organisation's value for the period, as `series.period_value` reads it.

    One query for the whole group (a national group is 43 forces), each force's rows then
    read by `series.period_value` itself: the months combined by the KPI's aggregation
    when all are there, else a figure stated for exactly the period, else (for 'as at'
    KPIs) the latest figure ending inside it.
    """
    whole, start, end = _as_period(period)
    if whole is None:
        return _stated_values(kpi=kpi, organisations=organisations, start=start, end=end)
    rows = Observation.objects.order_by().filter(
        kpi=kpi, organisation__in=organisations, period_end__gte=whole.start, period_end__lte=whole.end
    ).values_list("organisation_id", "period_start", "period_end", "value")
    by_org: dict[int, list] = {}
    for org_id, s, e, value in rows:
        by_org.setdefault(org_id, []).append((s, e, value))
    out: dict[int, PeriodValue | None] = {}
    for org in organisations:
        value = period_value(kpi=kpi, organisation=org, period=whole, rows=by_org.get(org.pk, []))
        out[org.pk] = value if value.value is not None else None
    return out


def _number(v) -> Decimal | None:
    if isinstance(v, PeriodValue):
        return v.value
    return v


def population_year(start: date, end: date) -> int:
    """The year whose mid-year estimate a period uses: the year its middle falls in."""
    middle = start + (end - start) / 2
    return middle.year


def _populations(*, organisations, year: int) -> dict[int, tuple[int, int]]:
    """{organisation id: (population, year used)}: the given year, else the latest before it."""
    found: dict[int, tuple[int, int]] = {}
    rows = (
        Population.objects.filter(organisation__in=organisations, year__lte=year)
        .order_by("organisation_id", "-year")
        .values_list("organisation_id", "population", "year")
    )
    for org_id, population, used in rows:
        found.setdefault(org_id, (population, used))
    return found


# --------------------------------------------------------------------------- ranking
def _direction_note(direction: str, noun: str) -> str:
    if direction == "up":
        return f"1 = highest {noun} (higher is better)"
    if direction == "down":
        return f"1 = lowest {noun} (lower is better)"
    return f"1 = highest {noun} (neither direction is better; ranked from highest to lowest)"


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _assign_ranks(members: list[Standing], *, direction: str, decimals: int) -> list[Standing]:
    """Standard competition ranking (1, 2, 2, 4) on the figures as readers see them."""
    best_first = direction != "down"  # up and neither: highest first
    key = {id(m): _round(m.value, decimals) for m in members}
    ordered = sorted(members, key=lambda m: m.name)
    ordered.sort(key=lambda m: key[id(m)], reverse=best_first)
    previous, rank = None, 0
    for position, member in enumerate(ordered, start=1):
        if key[id(member)] != previous:
            rank, previous = position, key[id(member)]
        member.rank = rank
    return ordered


@dataclass
class _Measured:
    """Each member's figure for one ranking, with how to round, name and show it."""

    figures: dict[int, Decimal | None]
    decimals: int
    noun: str
    show: Callable[[Decimal], str]
    comparison_label: str = ""


def _percent_changes(*, kpi, members, period, whole, comparison_period) -> _Measured:
    """Each member's % change (percentage-point change for a percentage KPI) on the comparison."""
    if comparison_period is None:
        if whole is None:
            raise ValueError(NEEDS_COMPARISON)
        comparison_period = whole.same_period_last_year()
    points = kpi.unit == "percent"
    now = _values(kpi=kpi, organisations=members, period=period)
    before = _values(kpi=kpi, organisations=members, period=comparison_period)
    figures: dict[int, Decimal | None] = {}
    for m in members:
        a, b = now.get(m.pk), before.get(m.pk)
        if a is None or b is None:
            figures[m.pk] = None
            continue
        if not isinstance(a, PeriodValue):
            a = PeriodValue(None, a, 0, 0, "stated")
        if not isinstance(b, PeriodValue):
            b = PeriodValue(None, b, 0, 0, "stated")
        compared = compare_values(a, b, unit=kpi.unit, decimals=kpi.decimals)
        # A percentage changes by points (72% -> 76.6% is +4.6 pts), as the KPI table says.
        figures[m.pk] = compared.change if points else compared.percent_change

    def show(v):
        if points:
            return format_change(v, "percent", PERCENT_CHANGE_DECIMALS)
        return format_percent_change(v, PERCENT_CHANGE_DECIMALS)

    return _Measured(
        figures=figures,
        decimals=PERCENT_CHANGE_DECIMALS,
        noun="change in percentage points" if points else "percentage change",
        show=show,
        comparison_label=_label(*_as_period(comparison_period)),
    )


def _rates(*, figures, members, start: date, end: date, notes: list[str]) -> _Measured:
    """Each member's value per 1,000 of its population, noting missing or older populations."""
    year = population_year(start, end)
    pops = _populations(organisations=members, year=year)
    notes.append(RATE_NOTE.format(year=year))
    for m in members:
        if figures[m.pk] is None:
            continue
        if m.pk not in pops:
            notes.append(NO_POPULATION.format(name=m.name, year=year))
            figures[m.pk] = None
            continue
        population, used = pops[m.pk]
        if used != year:
            notes.append(OLDER_POPULATION.format(name=m.name, used=used, year=year))
        figures[m.pk] = figures[m.pk] / Decimal(population) * PER
    return _Measured(
        figures=figures,
        decimals=RATE_DECIMALS,
        noun="rate per 1,000 population",
        show=lambda v: f"{format_value(v, 'count', RATE_DECIMALS)} per 1,000",
    )


def _measure(*, kpi, members, period, measure, comparison_period, per_population, notes) -> _Measured:
    whole, start, end = _as_period(period)
    if measure == PERCENT_CHANGE:
        return _percent_changes(
            kpi=kpi, members=members, period=period, whole=whole, comparison_period=comparison_period
        )
    raw = _values(kpi=kpi, organisations=members, period=period)
    figures = {m.pk: _number(raw.get(m.pk)) for m in members}
    if per_population:
        return _rates(figures=figures, members=members, start=start, end=end, notes=notes)
    return _Measured(
        figures=figures,
        decimals=kpi.decimals,
        noun="value",
        show=lambda v: format_value(v, kpi.unit, kpi.decimals),
    )


def _members(group, organisation) -> list:
    members = list(group.members.all())
    if organisation.pk not in {m.pk for m in members}:
        members.append(organisation)  # a group may list only the others
    members.sort(key=lambda m: m.name)
    return members


def rank(
    *,
    kpi,
    period,
    group,
    organisation=None,
    measure: str = VALUE,
    comparison_period=None,
    per_population: bool | None = None,
) -> Ranking:
    """Rank `organisation` (default: the home force) among `group` for a KPI and period.

    `period` is a Period or a (start, end) pair for a stated range (e.g. January–December
    2018 for a survey measure). `measure` is "value" (a rate per 1,000 when the KPI says
    so) or "percent_change" against `comparison_period` (default: a year earlier).
    `per_population` overrides the KPI's own choice of ranking a value as a rate per 1,000.
    """
    if measure not in MEASURES:
        raise ValueError(UNKNOWN_MEASURE)
    organisation = organisation or Organisation.home()
    members = _members(group, organisation)
    whole, start, end = _as_period(period)
    notes: list[str] = []
    if per_population is None:
        per_population = bool(kpi.per_population)
    measured = _measure(
        kpi=kpi,
        members=members,
        period=period,
        measure=measure,
        comparison_period=comparison_period,
        per_population=per_population and measure == VALUE,
        notes=notes,
    )
    figures, show = measured.figures, measured.show
    standings = [
        Standing(
            name=m.name,
            value=figures[m.pk],
            display=show(figures[m.pk]),
            is_home=m.pk == organisation.pk,
            organisation_id=m.pk,
        )
        for m in members
        if figures.get(m.pk) is not None
    ]
    ranked = _assign_ranks(standings, direction=kpi.good_direction, decimals=measured.decimals)
    if len({m.rank for m in ranked}) < len(ranked):
        notes.append(TIE_NOTE)
    ranking = Ranking(
        group_name=group.name,
        rank_prefix=group.rank_prefix,
        kpi_code=kpi.code,
        measure=measure,
        period_start=start,
        period_end=end,
        period_label=_label(whole, start, end),
        comparison_label=measured.comparison_label,
        direction=kpi.good_direction,
        direction_note=_direction_note(kpi.good_direction, measured.noun),
        members=ranked,
        missing=[m.name for m in members if figures.get(m.pk) is None],
        home_name=organisation.name,
        notes=notes,
    )
    if ranked:
        ranking.average = sum((m.value for m in ranked), Decimal(0)) / len(ranked)
        ranking.average_display = show(ranking.average)
    return ranking


# --------------------------------------------------------------------------- reports
def _stated_periods(*, kpi, organisations, start: date, end: date) -> list[tuple[date, date]]:
    """Periods other than single months that peers have figures for, ending inside start–end.

    Latest first: a survey measure's 'January–December 2018' inside a 2018/19 report.
    """
    rows = (
        Observation.objects.filter(
            kpi=kpi, organisation__in=organisations, period_end__gte=start, period_end__lte=end
        )
        .values("period_start", "period_end")
        .annotate(forces=Count("organisation", distinct=True))
        .order_by("-period_end", "-forces", "period_start")
    )
    out = []
    for row in rows:
        s, e = row["period_start"], row["period_end"]
        if s.day == 1 and e == month_end(s):
            continue  # a calendar month: already combined into the whole period
        if row["forces"] > 1:
            out.append((s, e))
    return out


def row_peer(
    *, kpi, organisation, period_start: date, period_end: date, group, measure: str = VALUE
) -> dict | None:
    """The peer ranking a report row shows, as frozen JSON, or None when there is nothing to show.

    Ranks over the report's period; when peers only have a figure for another stated period
    ending inside it (a survey year), ranks over the latest such period and says which.
    `measure="percent_change"` ranks the change against the same period a year earlier.
    """
    if group is None:
        return None
    period = (period_start, period_end)
    options = {"kpi": kpi, "group": group, "organisation": organisation, "measure": measure}
    ranking = rank(period=period, **options)
    # A "last value" KPI (a survey's rolling year) ranks over the stated period its figures
    # cover, so the row says "Jan 2018 – Dec 2018" rather than the report's year.
    if ranking.rank is None or ranking.of < 2 or kpi.aggregation == "last":
        members = list(group.members.all()) + [organisation]
        for stated in _stated_periods(kpi=kpi, organisations=members, start=period_start, end=period_end):
            try:
                candidate = rank(period=stated, **options)
            except ValueError:
                continue  # an 'as at' date has no 'a year earlier' to change from
            if candidate.rank is not None and candidate.of >= 2:
                ranking = candidate
                break
    if ranking.of < 2:
        return None  # "rank 1 of 1" would be no comparison at all
    return ranking.as_dict()
