"""kpis/rankings.py: ranks against worked examples, and the reference's public-confidence comparison."""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpis import rankings
from kpis.models import Kpi, Observation, Organisation, PeerGroup, Population
from kpis.periods import Period

ROOT = Path(__file__).resolve().parents[2]
CONFIDENCE_CSV = ROOT / "reports" / "demo_data" / "peer-confidence-2018.csv"
FY2018 = Period.financial_year(2018)
FY2017 = Period.financial_year(2017)
JAN_DEC_2018 = (date(2018, 1, 1), date(2018, 12, 31))

pytestmark = pytest.mark.django_db


def org(name: str, *, home: bool = False) -> Organisation:
    return Organisation.objects.get_or_create(
        code=name.lower().replace(" ", "-"), defaults={"name": name, "is_home": home}
    )[0]


def group(name: str, members, kind=PeerGroup.Kind.MSF) -> PeerGroup:
    g = PeerGroup.objects.create(name=name, kind=kind)
    g.members.set(members)
    return g


def kpi(code="3.2", *, direction="down", unit="count", aggregation="sum", per_population=False, decimals=0):
    return Kpi.objects.create(
        code=code,
        name=f"KPI {code}",
        category="Crime",
        unit=unit,
        aggregation=aggregation,
        good_direction=direction,
        decimals=decimals,
        per_population=per_population,
    )


def stated(k, o, start, end, value):
    Observation.objects.create(
        kpi=k, organisation=o, period_start=start, period_end=end, value=Decimal(value)
    )


def year_value(k, o, value, period=FY2018):
    stated(k, o, period.start, period.end, value)


@pytest.fixture
def forces():
    home = org("Leicestershire", home=True)
    others = [org(n) for n in ("Bedfordshire", "Essex", "Kent", "Sussex")]
    return home, others


# --------------------------------------------------------------------------- the reference
def load_confidence_csv():
    """The demo file's rows as observations (the import is tested in kpis/imports/test_peers)."""
    confidence = kpi("4.2", direction="up", unit="percent", aggregation="mean")
    confidence.name = "Public confidence"
    confidence.save()
    home = org("Leicestershire", home=True)
    members = []
    with CONFIDENCE_CSV.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            o = org(row["organisation"], home=row["organisation"] == "Leicestershire")
            members.append(o)
            stated(
                confidence,
                o,
                date.fromisoformat(row["period_start"]),
                date.fromisoformat(row["period_end"]),
                row["value"],
            )
    msf = group("Leicestershire Most Similar Forces", [m for m in members if m != home])
    return confidence, home, msf


def test_reference_public_confidence_is_6th_of_8_with_highest_84_and_lowest_68():
    confidence, home, msf = load_confidence_csv()

    r = rankings.rank(kpi=confidence, period=JAN_DEC_2018, group=msf, organisation=home)

    assert (r.rank, r.of) == (6, 8)
    assert r.display == "MSF rank 6 of 8"
    assert r.home.display == "72%"
    assert r.highest["display"] == "84%"
    assert r.lowest["display"] == "68%"
    assert r.period_label == "Jan 2018 – Dec 2018"
    assert r.direction_note == "1 = highest value (higher is better)"
    assert r.missing == []


def test_reference_confidence_file_names_the_seven_most_similar_forces_and_marks_illustrative_rows():
    with CONFIDENCE_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["organisation"] for r in rows}
    assert names == {
        "Leicestershire",
        "Sussex",
        "Hertfordshire",
        "Essex",
        "Bedfordshire",
        "Hampshire",
        "Nottinghamshire",
        "Kent",
    }
    published = [r for r in rows if r["note"].startswith(("Published", "Derived"))]
    assert [(r["organisation"], r["value"]) for r in published] == [
        ("Leicestershire", "72"),
        ("Leicestershire", "76.6"),
    ]
    assert all("llustrative" in r["note"] for r in rows if r not in published)


def test_row_peer_finds_the_survey_year_inside_the_financial_year_report():
    confidence, home, msf = load_confidence_csv()

    peer = rankings.row_peer(
        kpi=confidence, organisation=home, period_start=FY2018.start, period_end=FY2018.end, group=msf
    )

    assert peer["display"] == "MSF rank 6 of 8"
    assert peer["period_label"] == "Jan 2018 – Dec 2018"
    assert (peer["highest"]["display"], peer["lowest"]["display"]) == ("84%", "68%")
    assert json.loads(json.dumps(peer)) == peer


# --------------------------------------------------------------------------- worked examples
def test_lower_is_better_ranks_the_smallest_figure_first(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    for o, v in ((home, 500), (beds, 700), (essex, 300), (kent, 900), (sussex, 600)):
        year_value(k, o, v)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex, kent, sussex, home]))

    assert [(m.name, m.rank) for m in r.members] == [
        ("Essex", 1),
        ("Leicestershire", 2),
        ("Sussex", 3),
        ("Bedfordshire", 4),
        ("Kent", 5),
    ]
    assert r.rank == 2
    assert r.direction_note == "1 = lowest value (lower is better)"
    assert r.highest == {"name": "Kent", "value": "900.0000", "display": "900"}
    assert r.lowest == {"name": "Essex", "value": "300.0000", "display": "300"}
    assert r.average == Decimal(600)


def test_higher_is_better_ranks_the_largest_figure_first(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="up", unit="percent", aggregation="mean")
    for o, v in ((home, 72), (beds, 80), (essex, 60)):
        year_value(k, o, v)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex]))

    assert [m.name for m in r.members] == ["Bedfordshire", "Leicestershire", "Essex"]
    assert r.display == "MSF rank 2 of 3"


def test_neither_direction_ranks_highest_first_and_says_so(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="neither")
    for o, v in ((home, 10), (beds, 30), (essex, 20)):
        year_value(k, o, v)

    r = rankings.rank(kpi=k, period=FY2018, group=group("Region", [beds, essex], PeerGroup.Kind.REGION))

    assert [m.name for m in r.members] == ["Bedfordshire", "Essex", "Leicestershire"]
    assert r.display == "Region rank 3 of 3"
    assert "ranked from highest to lowest" in r.direction_note


def test_ties_share_a_rank_and_the_next_rank_is_skipped(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="up")
    for o, v in ((beds, 80), (home, 75), (essex, 75), (kent, 70)):
        year_value(k, o, v)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex, kent]))

    assert [(m.name, m.rank) for m in r.members] == [
        ("Bedfordshire", 1),
        ("Essex", 2),
        ("Leicestershire", 2),
        ("Kent", 4),
    ]
    assert rankings.TIE_NOTE in r.notes


def test_figures_equal_as_printed_tie_even_when_stored_decimals_differ(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="up", unit="percent", aggregation="mean", decimals=0)
    year_value(k, home, "72.04")
    year_value(k, beds, "71.96")

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds]))

    assert [m.rank for m in r.members] == [1, 1]


def test_missing_peers_are_left_out_of_the_count_and_named(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    for o, v in ((home, 5), (beds, 7)):
        year_value(k, o, v)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex, kent, sussex]))

    assert r.display == "MSF rank 1 of 2"
    assert r.missing == ["Essex", "Kent", "Sussex"]
    assert r.as_dict()["missing"] == ["Essex", "Kent", "Sussex"]


def test_a_peer_with_some_months_missing_is_missing_not_a_partial_total(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    for month in FY2018.months():
        stated(k, home, month, Period.month(month.year, month.month).end, 10)
        if month.month != 3:
            stated(k, beds, month, Period.month(month.year, month.month).end, 1)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds]))

    assert r.home.value == Decimal(120)
    assert r.missing == ["Bedfordshire"]


def test_home_force_without_a_figure_has_no_rank(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi()
    year_value(k, beds, 7)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds]))

    assert r.rank is None
    assert r.display == "MSF: no figure for this force"
    assert r.missing == ["Leicestershire"]


def test_rates_per_1000_population_can_reverse_the_order_of_counts(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down", per_population=True)
    # Essex records more offences but has far more people: its rate is lower.
    year_value(k, home, 6000)
    year_value(k, essex, 9000)
    Population.objects.create(organisation=home, year=2018, population=1_000_000)
    Population.objects.create(organisation=essex, year=2018, population=1_800_000)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [essex]))

    assert [(m.name, m.display, m.rank) for m in r.members] == [
        ("Essex", "5.00 per 1,000", 1),
        ("Leicestershire", "6.00 per 1,000", 2),
    ]
    assert r.direction_note == "1 = lowest rate per 1,000 population (lower is better)"
    assert r.average_display == "5.50 per 1,000"
    assert "mid-2018" in r.notes[0]


def test_rates_use_an_older_population_with_a_note_and_skip_forces_with_none(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down", per_population=True)
    for o in (home, essex, kent):
        year_value(k, o, 1000)
    Population.objects.create(organisation=home, year=2018, population=1_000_000)
    Population.objects.create(organisation=home, year=2016, population=10)
    Population.objects.create(organisation=essex, year=2017, population=500_000)
    Population.objects.create(organisation=kent, year=2019, population=1)  # too late for 2018/19

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [essex, kent]))

    assert [(m.name, m.display) for m in r.members] == [
        ("Leicestershire", "1.00 per 1,000"),
        ("Essex", "2.00 per 1,000"),
    ]
    assert r.missing == ["Kent"]
    assert "Essex: rate uses the 2017 population (no 2018 figure yet)." in r.notes
    assert "Kent: no population figure for 2018 or earlier, so no rate." in r.notes


def test_population_year_is_the_year_a_period_is_centred_on():
    assert rankings.population_year(FY2018.start, FY2018.end) == 2018
    assert rankings.population_year(*JAN_DEC_2018) == 2018
    assert rankings.population_year(date(2019, 1, 1), date(2019, 3, 31)) == 2019


def test_smallest_percentage_increase_in_the_region_ranks_first_when_lower_is_better(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi("3.1", direction="down")
    # previous -> current: home +9.6%, Beds +20%, Essex +15%, Kent -5%
    for o, before, now in ((home, 84760, 92924), (beds, 1000, 1200), (essex, 2000, 2300), (kent, 100, 95)):
        year_value(k, o, before, FY2017)
        year_value(k, o, now, FY2018)
    region = group("East", [beds, essex, kent], PeerGroup.Kind.REGION)

    r = rankings.rank(kpi=k, period=FY2018, group=region, measure=rankings.PERCENT_CHANGE)

    assert [(m.name, m.display, m.rank) for m in r.members] == [
        ("Kent", "-5.0%", 1),
        ("Leicestershire", "+9.6%", 2),
        ("Essex", "+15.0%", 3),
        ("Bedfordshire", "+20.0%", 4),
    ]
    assert r.comparison_label == "2017/18"
    assert r.direction_note == "1 = lowest percentage change (lower is better)"


def test_row_peer_ranks_the_percentage_change_when_asked(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi("3.1", direction="down")
    for o, before, now in ((home, 100, 110), (beds, 100, 130), (essex, 100, 90)):
        year_value(k, o, before, FY2017)
        year_value(k, o, now, FY2018)

    peer = rankings.row_peer(
        kpi=k,
        organisation=home,
        period_start=FY2018.start,
        period_end=FY2018.end,
        group=group("East", [beds, essex], PeerGroup.Kind.REGION),
        measure=rankings.PERCENT_CHANGE,
    )

    assert (peer["display"], peer["measure"], peer["comparison_label"]) == (
        "Region rank 2 of 3",
        "percent_change",
        "2017/18",
    )
    assert [m["display"] for m in peer["members"]] == ["-10.0%", "+10.0%", "+30.0%"]


def test_a_percentage_kpi_changes_by_points_not_by_percent(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi("4.2", direction="up", unit="percent", aggregation="mean")
    jan_dec_2017 = (date(2017, 1, 1), date(2017, 12, 31))
    for o, before, now in ((home, "76.6", "72"), (beds, "60", "62")):
        stated(k, o, *jan_dec_2017, before)
        stated(k, o, *JAN_DEC_2018, now)

    r = rankings.rank(kpi=k, period=JAN_DEC_2018, group=group("MSF", [beds]), measure="percent_change")

    assert [(m.name, m.display) for m in r.members] == [
        ("Bedfordshire", "+2.0 pts"),
        ("Leicestershire", "-4.6 pts"),
    ]
    assert r.direction_note == "1 = highest change in percentage points (higher is better)"
    assert r.comparison_label == "Jan 2017 – Dec 2017"


def test_national_largest_increase_first_when_neither_direction_is_better(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi("3.1", direction="neither")
    for o, before, now in ((home, 100, 110), (beds, 100, 130), (essex, 100, 90)):
        year_value(k, o, before, FY2017)
        year_value(k, o, now, FY2018)
    national = group("England and Wales", [home, beds, essex], PeerGroup.Kind.NATIONAL)

    r = rankings.rank(
        kpi=k, period=FY2018, group=national, measure="percent_change", comparison_period=FY2017
    )

    assert r.display == "National rank 2 of 3"
    assert [m.name for m in r.members] == ["Bedfordshire", "Leicestershire", "Essex"]


def test_percent_change_leaves_out_forces_without_a_previous_figure_or_with_zero(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    year_value(k, home, 100, FY2017)
    year_value(k, home, 110, FY2018)
    year_value(k, beds, 50, FY2018)  # no previous year
    year_value(k, essex, 0, FY2017)
    year_value(k, essex, 5, FY2018)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex]), measure="percent_change")

    assert r.display == "MSF rank 1 of 1"
    assert r.missing == ["Bedfordshire", "Essex"]


def test_monthly_peer_figures_combine_into_the_period_like_the_kpi_table(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    for month in FY2018.months():
        end = Period.month(month.year, month.month).end
        stated(k, home, month, end, 10)
        stated(k, beds, month, end, 20)

    r = rankings.rank(kpi=k, period=(FY2018.start, FY2018.end), group=group("MSF", [beds]))

    assert [(m.name, m.value) for m in r.members] == [("Leicestershire", 120), ("Bedfordshire", 240)]


def test_an_as_at_date_ranks_the_figures_stated_for_that_date(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="neither", aggregation="last")
    as_at = date(2019, 3, 31)
    stated(k, home, as_at, as_at, 347)
    stated(k, beds, as_at, as_at, 400)

    r = rankings.rank(kpi=k, period=(as_at, as_at), group=group("MSF", [beds]))

    assert r.period_label == "as at 31 March 2019"
    assert r.display == "MSF rank 2 of 2"


def test_the_home_force_is_ranked_even_when_the_group_lists_only_the_others(forces):
    home, others = forces
    k = kpi()
    for i, o in enumerate([home, *others]):
        year_value(k, o, 100 + i)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", others), organisation=home)

    assert r.of == 5
    assert sum(m.is_home for m in r.members) == 1


def test_another_organisation_can_be_ranked(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    year_value(k, home, 1)
    year_value(k, beds, 2)

    r = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [home, beds]), organisation=beds)

    assert r.display == "MSF rank 2 of 2"
    assert r.home.name == "Bedfordshire"


def test_as_dict_is_json_safe_and_has_the_frozen_keys(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="down")
    year_value(k, home, 1)
    year_value(k, beds, 2)

    d = rankings.rank(kpi=k, period=FY2018, group=group("MSF", [beds, essex])).as_dict()

    assert json.loads(json.dumps(d)) == d
    assert {
        "group",
        "measure",
        "period_label",
        "rank",
        "of",
        "display",
        "direction_note",
        "highest",
        "lowest",
        "average",
        "members",
        "missing",
    } <= d.keys()
    assert set(d["highest"]) == {"name", "value", "display"}
    assert d["average"]["display"] == "2"  # 1.5 rounds half up, as a spreadsheet would
    assert d["members"][0] == {
        "name": "Leicestershire",
        "value": "1.0000",
        "display": "1",
        "rank": 1,
        "is_home": True,
    }


def test_unknown_measure_and_missing_comparison_are_refused(forces):
    k = kpi()
    g = group("MSF", forces[1])
    with pytest.raises(ValueError, match=rankings.UNKNOWN_MEASURE):
        rankings.rank(kpi=k, period=FY2018, group=g, measure="volume")
    with pytest.raises(ValueError, match=rankings.NEEDS_COMPARISON):
        rankings.rank(kpi=k, period=(date(2019, 3, 31), date(2019, 3, 31)), group=g, measure="percent_change")


def test_row_peer_is_none_without_a_group_or_without_two_forces_to_compare(forces):
    home, others = forces
    k = kpi()
    args = dict(kpi=k, organisation=home, period_start=FY2018.start, period_end=FY2018.end)
    assert rankings.row_peer(group=None, **args) is None
    msf = group("MSF", others)
    assert rankings.row_peer(group=msf, **args) is None
    year_value(k, home, 5)  # this force alone is no comparison either
    assert rankings.row_peer(group=msf, **args) is None
    year_value(k, others[0], 6)
    assert rankings.row_peer(group=msf, **args)["display"] == "MSF rank 1 of 2"


def test_row_peer_prefers_the_report_period_when_peers_have_it(forces):
    home, (beds, essex, kent, sussex) = forces
    k = kpi(direction="up", unit="percent", aggregation="mean")
    year_value(k, home, 70)
    year_value(k, beds, 60)
    stated(k, home, *JAN_DEC_2018, 10)
    stated(k, beds, *JAN_DEC_2018, 90)

    peer = rankings.row_peer(
        kpi=k, organisation=home, period_start=FY2018.start, period_end=FY2018.end, group=group("MSF", [beds])
    )

    assert peer["period_label"] == "2018/19"
    assert peer["rank"] == 1


@pytest.mark.parametrize("aggregation", ["sum", "mean", "last"])
def test_group_values_read_each_force_exactly_as_the_kpi_table_does(aggregation, forces):
    from kpis.series import period_value

    home, (beds, essex, kent, sussex) = forces
    k = kpi(aggregation=aggregation)
    months = FY2018.months()
    for i, month in enumerate(months):
        end = Period.month(month.year, month.month).end
        stated(k, home, month, end, 10 + i)  # every month
        if i < 11:
            stated(k, beds, month, end, 5)  # one month short ...
    year_value(k, beds, 999)  # ... with a stated year figure
    year_value(k, essex, 123)  # only a stated year figure
    stated(k, kent, date(2018, 9, 1), date(2018, 9, 30), 7)  # one month only
    stated(k, kent, date(2019, 3, 31), date(2019, 3, 31), 8)  # an 'as at' figure
    # Sussex: nothing at all; and figures outside the period must not count.
    stated(k, sussex, date(2019, 4, 1), date(2019, 4, 30), 1)
    members = [home, beds, essex, kent, sussex]

    got = rankings._values(kpi=k, organisations=members, period=FY2018)

    for o in members:
        expected = period_value(kpi=k, organisation=o, period=FY2018).value
        assert rankings._number(got.get(o.pk)) == expected, o.name


def test_ranking_a_national_group_uses_a_bounded_number_of_queries(forces, django_assert_max_num_queries):
    home, _ = forces
    k = kpi(direction="down")
    national = [org(f"Force {i:02d}") for i in range(42)]
    for o in [home, *national]:
        year_value(k, o, 100)
    g = group("England and Wales", national, PeerGroup.Kind.NATIONAL)

    with django_assert_max_num_queries(4):
        r = rankings.rank(kpi=k, period=FY2018, group=g)

    assert r.of == 43
