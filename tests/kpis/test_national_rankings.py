"""kpis/national_rankings.py: 43 forces' % changes, counted, ranked, tied, missing, by region."""

from decimal import Decimal

import pytest

from kpis import national_rankings as nr
from kpis.models import Kpi, Observation, Organisation, PeerGroup, Population
from tests.kpis.national_forces import (
    FY2017,
    FY2018,
    changes_in_tenths,
    crime_kpi,
    forces_of_england_and_wales,
    reference_picture,
    year,
)

pytestmark = pytest.mark.django_db


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
    assert nr.TIE_NOTE in standing["sentences"]


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
