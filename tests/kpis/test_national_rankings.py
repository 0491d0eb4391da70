"""kpis/national_rankings.py: 43 forces' % changes, counted, ranked, tied, missing, by region."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from kpis import national_rankings as nr
from kpis.models import Kpi, Observation, Organisation, PeerGroup, Population
from kpis.periods import Period

ROOT = Path(__file__).resolve().parents[2]
FORCES_CSV = ROOT / "kpis" / "data" / "forces.csv"
FY2018 = Period.financial_year(2018)
FY2017 = Period.financial_year(2017)
EAST_MIDLANDS = ["Derbyshire", "Leicestershire", "Lincolnshire", "Northamptonshire", "Nottinghamshire"]

pytestmark = pytest.mark.django_db


def forces_of_england_and_wales() -> dict[str, Organisation]:
    """The 43 forces and British Transport Police, a national group and region groups."""
    with FORCES_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    orgs = {
        r["name"]: Organisation.objects.create(
            code=r["code"], name=r["name"], is_home=r["name"] == "Leicestershire"
        )
        for r in rows
    }
    national = PeerGroup.objects.create(name="All forces in England and Wales", kind=PeerGroup.Kind.NATIONAL)
    national.members.set(orgs.values())
    for region in sorted({r["region"] for r in rows if r["region"]}):
        g = PeerGroup.objects.create(name=region, kind=PeerGroup.Kind.REGION)
        g.members.set([orgs[r["name"]] for r in rows if r["region"] == region])
    return orgs


def crime_kpi() -> Kpi:
    return Kpi.objects.create(
        code="3.1", name="All Crime", category="Crime", unit="count", aggregation="sum", good_direction="down"
    )


def year(kpi, org, period, value) -> None:
    Observation.objects.create(
        kpi=kpi, organisation=org, period_start=period.start, period_end=period.end, value=Decimal(value)
    )


def changes_in_tenths(orgs: dict, kpi, tenths: dict[str, int | None]) -> None:
    """Each force 1,000 crimes in 2017/18 and 1,000 + tenths in 2018/19 (+96 is +9.6%)."""
    for name, change in tenths.items():
        year(kpi, orgs[name], FY2017, 1000)
        if change is not None:
            year(kpi, orgs[name], FY2018, 1000 + change)


def reference_picture(orgs) -> dict[str, int | None]:
    """36 of the 42 forces with figures increasing, Leicestershire 21st of them, smallest in its region.

    Kent and Essex tie at +15.0%; Dyfed-Powys has no 2018/19 figure; British Transport
    Police none at all (neither is counted as a decrease).
    """
    others = sorted(n for n in orgs if n not in ("Leicestershire", "Dyfed-Powys", "British Transport Police"))
    east = [n for n in EAST_MIDLANDS if n != "Leicestershire"]
    rest = [n for n in others if n not in east]
    larger = east + [n for n in rest if n not in ("Kent", "Essex")][:14] + ["Kent", "Essex"]  # 20 above
    smaller = [n for n in rest if n not in larger][:15]  # 15 below, still increasing
    falling = [n for n in rest if n not in larger and n not in smaller]  # 6 decreasing
    tenths = {"Leicestershire": 96, "Dyfed-Powys": None}
    above = [300 - 10 * i for i in range(15)] + [140, 130, 120]  # +30.0% … +16.0%, then +14.0% …
    tenths.update(dict(zip(larger[:-2], above, strict=True)))
    tenths.update({"Kent": 150, "Essex": 150})
    tenths.update({n: 80 - 5 * i for i, n in enumerate(smaller)})
    tenths.update({n: -10 - 10 * i for i, n in enumerate(falling)})
    assert len(falling) == 6 and len(smaller) == 15
    return tenths


@pytest.fixture
def national():
    orgs = forces_of_england_and_wales()
    kpi = crime_kpi()
    changes_in_tenths(orgs, kpi, reference_picture(orgs))
    group = PeerGroup.objects.get(kind=PeerGroup.Kind.NATIONAL)
    return orgs, kpi, group


def test_36_of_the_forces_with_figures_are_increasing_and_the_missing_are_named_not_counted(national):
    orgs, kpi, group = national

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["increasing"] == 36
    assert standing["decreasing"] == 6
    assert standing["of"] == 42
    assert standing["group_size"] == 44
    assert standing["missing"] == ["British Transport Police", "Dyfed-Powys"]
    assert standing["sentences"][0] == "Recording an increase: 36 of 42 forces."
    assert standing["sentences"][-1] == "No figure for British Transport Police, Dyfed-Powys: not counted."


def test_the_home_force_is_21st_of_the_36_increasing_with_the_direction_stated(national):
    orgs, kpi, group = national

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["home_display"] == "+9.6%"
    assert standing["way"] == "increase"
    assert standing["rank_same_way"] == {"rank": 21, "of": 36, "tied": False, "label": "21st"}
    assert standing["rank_all"] == {"rank": 21, "of": 42, "tied": False, "label": "21st"}
    assert standing["direction"] == "1st = largest increase"
    assert "Ranked 21st of 36 by % increase (1st = largest increase)." in standing["sentences"]


def test_equal_changes_share_a_rank_and_the_next_rank_is_skipped(national):
    orgs, kpi, group = national

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group)
    values = [m.value for m in standing.ranking.members]

    essex = nr.place(values, Decimal("15.0"), largest_first=True)
    next_down = nr.place(values, Decimal("14.0"), largest_first=True)

    assert (essex.label, essex.tied) == ("=16th", True)  # 15 forces above +15.0%, Kent level with Essex
    assert next_down.label == "18th"
    assert standing.as_dict()["notes"] == [nr.TIE_NOTE]


def test_a_home_force_tied_with_another_is_ranked_with_an_equals_sign(national):
    orgs, kpi, group = national
    Observation.objects.filter(organisation=orgs["Essex"], period_start=FY2018.start).update(value=1096)

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["rank_same_way"]["label"] == "=20th"
    assert "Ranked =20th of 36 by % increase (1st = largest increase)." in standing["sentences"]


def test_the_region_statement_says_smallest_increase_in_the_east_midlands(national):
    orgs, kpi, group = national

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["region"]["name"] == "East Midlands"
    assert standing["region"]["extreme"] == "smallest"
    assert standing["region"]["words"] == "Smallest increase in East Midlands (5 forces)"
    assert standing["sentences"][2] == "Smallest increase in East Midlands (5 forces)."


def test_the_region_statement_counts_from_the_smallest_and_names_the_largest():
    changes = {"A": Decimal(3), "B": Decimal(5), "Home": Decimal(7), "C": Decimal(9), "D": Decimal(-2)}
    members = ["A", "B", "C", "D", "Home"]

    middle = nr.region_position(changes, home_name="Home", region="Midshire", members=members)
    changes["Home"] = Decimal(12)
    largest = nr.region_position(changes, home_name="Home", region="Midshire", members=members + ["E"])

    assert middle["words"] == (
        "3rd smallest increase among the 4 Midshire forces recording an increase (5 with figures)"
    )
    assert largest["extreme"] == "largest"
    assert largest["words"].startswith("Largest increase among the 4 Midshire forces")
    assert largest["missing"] == ["E"]


def test_a_decreasing_home_force_is_ranked_among_the_decreases(national):
    orgs, kpi, group = national
    Observation.objects.filter(organisation=orgs["Leicestershire"], period_start=FY2018.start).update(
        value=985
    )

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["increasing"] == 35 and standing["decreasing"] == 7
    assert standing["rank_same_way"]["label"] == "6th"  # -10, -20 … -60 and -1.5%: 6 larger falls
    assert "by % decrease (1st = largest decrease)" in standing["sentence"]
    assert standing["region"]["words"] == "The only decrease in East Midlands (5 forces)"


def test_the_standing_names_the_files_its_figures_came_from(national):
    from kpis.models import ImportBatch

    orgs, kpi, group = national
    batch = ImportBatch.objects.create(
        kind="observations", file_name="prc-pfa-mar2013-onwards-tables.ods", sha256="0"
    )
    Observation.objects.filter(kpi=kpi).update(source=batch)

    standing = nr.national_standing(kpi=kpi, period=FY2018, group=group).as_dict()

    assert standing["sources"] == ["prc-pfa-mar2013-onwards-tables.ods"]
    assert standing["period"]["label"] == "2018/19"
    assert standing["comparison_label"] == "2017/18"


def test_a_standing_reads_44_forces_in_a_fixed_number_of_queries(national, django_assert_max_num_queries):
    orgs, kpi, group = national
    home = orgs["Leicestershire"]

    with django_assert_max_num_queries(7):
        nr.row_standing(kpi=kpi, organisation=home, period=FY2018, comparison_period=FY2017, group=group)


def test_the_msf_rank_is_by_rate_per_1000_where_populations_exist():
    home = Organisation.objects.create(code="leicestershire", name="Leicestershire", is_home=True)
    peers = [Organisation.objects.create(code=n.lower(), name=n) for n in ("Bedfordshire", "Kent", "Sussex")]
    msf = PeerGroup.objects.create(name="Leicestershire Most Similar Forces", kind=PeerGroup.Kind.MSF)
    msf.members.set([home, *peers])
    violence = Kpi.objects.create(
        code="3.2", name="Violence with injury", category="Crime", unit="count", good_direction="down"
    )
    # By count Bedfordshire has the fewest; per 1,000 people Leicestershire does.
    for org, count, people in (
        (home, 6656, 1_100_000),
        (peers[0], 6000, 670_000),
        (peers[1], 16000, 1_850_000),
    ):
        year(violence, org, FY2018, count)
        Population.objects.create(organisation=org, year=2018, population=people)
    year(violence, peers[2], FY2018, 14000)  # no population: left out, named

    ranking = nr.msf_rate_rank(kpi=violence, period=FY2018, group=msf, organisation=home)

    assert (ranking.rank, ranking.of) == (1, 3)
    assert ranking.home.display == "6.05 per 1,000"
    assert ranking.direction_note == "1 = lowest rate per 1,000 population (lower is better)"
    assert ranking.missing == ["Sussex"]


def test_ordinals():
    assert [nr.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 36, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "36th", "101st", "111th",
    ]  # fmt: skip
