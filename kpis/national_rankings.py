"""A force's change against all forces and its region: the national standing of one KPI.

"36 out of all 43 forces are recording increases in recorded crime, out of those
Leicestershire is ranked 21st (where 1st is recording the largest percentage increase).
Leicestershire is recording the smallest percentage increase in the region."

`national_standing` answers those questions for a KPI, a period and the same period a
year earlier, over a peer group (the national group or a region): how many forces are
recording an increase or a decrease, the home force's rank by % change among all forces
and among those moving the same way (which way the ranking runs is stated: 1st is always
the largest increase, or the largest decrease), ties by standard competition ranking
("=5th"), forces without a figure for either period listed as missing (never counted as
decreases), and the force's place in its region. The % changes come from
`rankings.rank`, so a standing and a peer column always agree. `msf_rate_rank` is the
Most Similar Forces rank by rate per 1,000 population.

Queries: a fixed number, however many forces (`national_standing`: the group's members,
both periods' figures, the region and its members, the source files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .models import Observation, Organisation, PeerGroup
from .periods import Period
from .rankings import PERCENT_CHANGE, PERCENT_CHANGE_DECIMALS, Ranking, Standing, rank

INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no change"
TIE_MARK = "="
MISSING_NOTE = "No figure for {names}: not counted."
TIE_NOTE = "Forces with the same % change (to 1 decimal place) share a rank, shown as =5th."


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 21 -> '21st'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def way_of(value: Decimal | None) -> str | None:
    """Which way a change went, on the figure as readers see it (+0.0% is no change)."""
    if value is None:
        return None
    shown = _shown(value)
    if shown > 0:
        return INCREASE
    return DECREASE if shown < 0 else NO_CHANGE


def _shown(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-PERCENT_CHANGE_DECIMALS), rounding=ROUND_HALF_UP)


@dataclass
class Place:
    """The home force's rank in one ordering: 21st of 36, or =5th of 43 when tied."""

    rank: int
    of: int
    tied: bool

    @property
    def label(self) -> str:
        return f"{TIE_MARK if self.tied else ''}{ordinal(self.rank)}"

    def as_dict(self) -> dict:
        return {"rank": self.rank, "of": self.of, "tied": self.tied, "label": self.label}


def place(values: list[Decimal], home: Decimal, *, largest_first: bool) -> Place:
    """Standard competition rank (1, 2, 2, 4) of `home` among `values` (which include it)."""
    shown = [_shown(v) for v in values]
    mine = _shown(home)
    ahead = sum(1 for v in shown if (v > mine if largest_first else v < mine))
    return Place(rank=ahead + 1, of=len(values), tied=shown.count(mine) > 1)


def _region_words(way: str, magnitudes: list[Decimal], home: Decimal, region: str, forces: int) -> dict:
    """The home force's place among the region's forces moving its way, and the words for it.

    'Smallest increase in East Midlands (5 forces)', 'Joint largest decrease …', '3rd
    smallest increase of 5 …', 'The only increase …' (counted from the smallest).
    """
    everyone = len(magnitudes) == forces
    scope = f"in {region} ({forces} forces)"
    if not everyone:
        article = "an" if way == INCREASE else "a"
        scope = (
            f"among the {len(magnitudes)} {region} forces recording {article} {way} ({forces} with figures)"
        )
    shown, mine = [_shown(v) for v in magnitudes], _shown(home)
    smaller, larger = sum(1 for v in shown if v < mine), sum(1 for v in shown if v > mine)
    at = Place(rank=smaller + 1, of=len(magnitudes), tied=shown.count(mine) > 1)
    if at.of == 1:
        extreme, words = "only", f"The only {way} in {region} ({forces} forces)"
    elif smaller == 0:
        extreme, words = "smallest", f"{'Joint s' if at.tied else 'S'}mallest {way} {scope}"
    elif larger == 0:
        extreme, words = "largest", f"{'Joint l' if at.tied else 'L'}argest {way} {scope}"
    elif everyone:
        extreme, words = "", f"{at.label} smallest {way} of {at.of} in {region}"
    else:
        extreme, words = "", f"{at.label} smallest {way} {scope}"
    return {"extreme": extreme, "place": at.as_dict(), "words": words}


def region_position(
    changes: dict[str, Decimal], *, home_name: str, region: str, members: list[str]
) -> dict | None:
    """Where the home force's change sits in its region: the smallest, the largest, or '3rd smallest of 5'.

    `changes` maps force names to % changes (forces without a figure are absent), `members`
    names every force of the region. None when the home force has no figure.
    """
    home = changes.get(home_name)
    way = way_of(home)
    if way is None:
        return None
    with_figures = [changes[name] for name in members if name in changes]
    if way == NO_CHANGE:
        said = {"extreme": "", "place": None, "words": f"No change in {region} ({len(with_figures)} forces)"}
    else:
        same_way = [abs(v) for v in with_figures if way_of(v) == way]
        said = _region_words(way, same_way, abs(home), region, len(with_figures))
    return {
        "name": region,
        "forces": len(with_figures),
        "way": way,
        **said,
        "missing": [name for name in members if name not in changes],
        "members": [{"name": n, "display": _display(changes[n])} for n in members if n in changes],
    }


def _display(value: Decimal) -> str:
    shown = _shown(value)
    sign = "+" if shown > 0 else ("-" if shown < 0 else "")
    return f"{sign}{abs(shown)}%"


@dataclass
class NationalStanding:
    """A force's % change against every force of a group, frozen into a report as `as_dict()`."""

    ranking: Ranking  # the % changes, from rankings.rank
    group_kind: str
    group_size: int
    region: dict | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def home(self) -> Standing | None:
        return self.ranking.home

    def _of_way(self, way: str) -> list[Decimal]:
        return [m.value for m in self.ranking.members if way_of(m.value) == way]

    @property
    def home_way(self) -> str | None:
        return way_of(self.home.value) if self.home else None

    def place_all(self) -> Place | None:
        """Rank by % change among every force with figures; 1st = the largest increase."""
        if self.home is None:
            return None
        return place([m.value for m in self.ranking.members], self.home.value, largest_first=True)

    def place_same_way(self) -> Place | None:
        """Rank among the forces moving the same way; 1st = the largest increase (or decrease)."""
        way = self.home_way
        if way not in (INCREASE, DECREASE):
            return None
        values = [abs(v) for v in self._of_way(way)]
        return place(values, abs(self.home.value), largest_first=True)

    def sentences(self) -> list[str]:
        """What a reader sees under the row, one sentence each."""
        r = self.ranking
        out = [f"Recording an increase: {len(self._of_way(INCREASE))} of {r.of} forces."]
        same, way = self.place_same_way(), self.home_way
        if same is not None:
            out.append(f"Ranked {same.label} of {same.of} by % {way} (1st = largest {way}).")
            if same.tied:
                out.append(TIE_NOTE)
        elif way == NO_CHANGE:
            out.append(f"{r.home_name}: no change.")
        else:
            out.append(f"{r.home_name}: no figure for {r.period_label} and {r.comparison_label}.")
        if self.region:
            out.append(self.region["words"] + ".")
        if r.missing:
            out.append(MISSING_NOTE.format(names=", ".join(r.missing)))
        return out

    def as_dict(self) -> dict:
        """JSON-safe form, frozen into a publication (row["standing"], docs/snapshot.md)."""
        r, home = self.ranking, self.home
        all_place, same = self.place_all(), self.place_same_way()
        return {
            "group": r.group_name, "group_kind": self.group_kind, "group_size": self.group_size,
            "kpi_code": r.kpi_code, "home": r.home_name,
            "period": {"start": r.period_start.isoformat(), "end": r.period_end.isoformat(),
                       "label": r.period_label},
            "comparison_label": r.comparison_label,
            "home_change": None if home is None else str(home.value),
            "home_display": "" if home is None else home.display,
            "way": self.home_way, "of": r.of,
            "increasing": len(self._of_way(INCREASE)), "decreasing": len(self._of_way(DECREASE)),
            "unchanged": len(self._of_way(NO_CHANGE)),
            "rank_all": all_place.as_dict() if all_place else None,
            "rank_same_way": same.as_dict() if same else None,
            "direction": "1st = largest increase",
            "direction_same_way": f"1st = largest {self.home_way}" if same else "",
            "region": self.region,
            "missing": list(r.missing),
            "members": [m.as_dict() for m in r.members],
            "sources": list(self.sources),
            "notes": [TIE_NOTE] if _has_ties(r.members) else [],
            "sentences": self.sentences(),
            "sentence": " ".join(self.sentences()),
        }  # fmt: skip


def _has_ties(members: list[Standing]) -> bool:
    shown = [_shown(m.value) for m in members]
    return len(set(shown)) < len(shown)


def _home_region(organisation: Organisation, group: PeerGroup) -> PeerGroup | None:
    if group.kind == PeerGroup.Kind.REGION:
        return group
    return (
        PeerGroup.objects.filter(kind=PeerGroup.Kind.REGION, members=organisation)
        .prefetch_related("members")
        .order_by("name")
        .first()
    )


def source_files(*, kpi, organisations, first, last) -> list[str]:
    """The import files the figures ending between `first` and `last` came from, in one query."""
    names = (
        Observation.objects.order_by()
        .filter(kpi=kpi, organisation__in=organisations, period_end__gte=first, period_end__lte=last)
        .exclude(source=None)
        .values_list("source__file_name", flat=True)
        .distinct()
    )
    return sorted(set(names))


def national_standing(*, kpi, period, group, organisation=None, comparison_period=None) -> NationalStanding:
    """The home force's % change for `kpi` over `period` against every force of `group`.

    `period` is a Period or a (start, end) pair; `comparison_period` defaults to the same
    period a year earlier. The region is the region group the force belongs to (or `group`
    itself when it is one).
    """
    organisation = organisation or Organisation.home()
    ranking = rank(
        kpi=kpi, period=period, group=group, organisation=organisation,
        measure=PERCENT_CHANGE, comparison_period=comparison_period,
    )  # fmt: skip
    members = ranking.members
    changes = {m.name: m.value for m in members}
    ids = [m.organisation_id for m in members] + [organisation.pk]
    region_group = _home_region(organisation, group)
    region = None
    if region_group is not None:
        names = sorted(m.name for m in region_group.members.all())
        region = region_position(
            changes, home_name=organisation.name, region=region_group.name, members=names
        )
    first = _comparison_start(period, comparison_period)
    return NationalStanding(
        ranking=ranking,
        group_kind=group.kind,
        group_size=len(members) + len(ranking.missing),
        region=region,
        sources=source_files(kpi=kpi, organisations=ids, first=first, last=ranking.period_end),
    )


def _comparison_start(period, comparison_period):
    """The first day the standing's figures can start on: the comparison period's start."""
    chosen = comparison_period
    if chosen is None:
        chosen = period.same_period_last_year() if isinstance(period, Period) else None
    if chosen is None:
        return date(period[0].year - 1, period[0].month, 1)
    return chosen.start if isinstance(chosen, Period) else chosen[0]


def msf_rate_rank(*, kpi, period, group, organisation=None) -> Ranking:
    """The force's rank among its Most Similar Forces by rate per 1,000 population.

    Reuses `rankings.rank` with rates whatever the KPI's own setting: forces without a
    population are left out and named in the notes; 1st is the lowest rate for a KPI where
    lower is better ("recording the least amount of offences").
    """
    return rank(kpi=kpi, period=period, group=group, organisation=organisation, per_population=True)


def row_standing(*, kpi, organisation, period, comparison_period, group) -> dict | None:
    """The national standing a report row shows, as frozen JSON; None without a group or figures."""
    if group is None:
        return None
    standing = national_standing(
        kpi=kpi, period=period, group=group, organisation=organisation, comparison_period=comparison_period
    )
    if standing.ranking.of < 2:
        return None  # "1 of 1 forces" compares with nothing
    return standing.as_dict()
