"""The commentary checker against a row's national standing: the reference's 3.1 and 3.2 sentences,
planted slips it must flag, rewordings it must not, and rows with no standing."""

import pytest

from reports.checker import check_paragraph
from reports.snapshot import build_snapshot
from tests.kpis.national_forces import FY2017, FY2018
from tests.reports.national import crime_row, report_with_national_standing

pytestmark = pytest.mark.django_db

REFERENCE_3_1 = (
    "The force recorded an additional 8,164 crimes compared to the same quarter of the previous year, this "
    "represents a +9.6% increase driven in part by an improvement in crime data integrity, this appears to "
    "be "
    "in line with all forces in England and Wales. The latest released national data release suggests that "
    "36 "
    "out of all 43 forces are recording increases in recorded crime, out of those Leicestershire is ranked "
    "21st "
    "(where 1st is recording the largest percentage increase in recorded crime). Further to this "
    "Leicestershire, "
    "police are recording the smallest percentage increase in the region."
)
MSF_SENTENCE = (
    "Leicestershire Police is currently ranked 1st in the most similar forces comparison for All Crime. This "
    "indicates that when compared with similar forces, Leicestershire Police is currently recording the "
    "least "
    "amount of offences in this category."
)


@pytest.fixture
def row(editor):
    return crime_row(build_snapshot(report_with_national_standing(editor, every_force=True)))


def check(text: str, rows: list[dict]) -> dict:
    found = check_paragraph(
        text,
        section_rows=rows,
        report_period=FY2018.as_dict(),
        comparison_period=FY2017.as_dict(),
        number="3.1",
    )
    return {(f.text, f.start): f for f in found}


def by_text(findings: dict) -> dict:
    out: dict = {}
    for (text, _), finding in sorted(findings.items(), key=lambda kv: kv[0][1]):
        out.setdefault(text, []).append(finding)
    return out


def test_the_reference_sentences_agree_with_the_standing(row):
    found = by_text(check(REFERENCE_3_1, [row]))

    assert found["36"][0].status == "match", found["36"][0].message
    assert found["36"][0].message.startswith(
        "The national standing (All forces in England and Wales, 2018/19 against 2017/18) shows 36 of 43 "
        "forces recording an increase"
    )
    assert found["43"][0].status == "match"
    assert found["21st"][0].status == "match", found["21st"][0].message
    assert "Leicestershire 21st of the 36 recording increases (1st = largest increase)" in (
        found["21st"][0].message
    )
    assert found["1st"][0].status == "match", found["1st"][0].message  # "where 1st is … largest …"
    region = found["smallest percentage increase in the region"][0]
    assert (region.status, region.kind) == ("match", "rank")
    assert "Smallest increase in East Midlands (5 forces)" in region.message
    # Only the source's own slip is flagged: "the same quarter" of a year-on-year comparison.
    assert [f.text for f in found.values() for f in f if f.flagged] == ["the same quarter"]


@pytest.mark.parametrize(
    ("before", "after", "figure", "slip"),
    [
        ("36 out of all 43", "35 out of all 43", "35", "one digit differs"),
        ("36 out of all 43", "7 out of all 43", "7", "it is the number recording a decrease"),
        ("out of all 43", "out of all 44", "44", ""),
        ("ranked 21st", "ranked 22nd", "22nd", ""),
        ("ranked 21st", "ranked 16th", "16th", "that is the rank counted from the other end"),
        (
            "largest percentage increase in recorded crime",
            "smallest percentage increase in recorded crime",
            "1st",
            "",
        ),
    ],
)
def test_a_planted_slip_is_flagged_with_what_the_standing_shows(row, before, after, figure, slip):
    found = by_text(check(REFERENCE_3_1.replace(before, after, 1), [row]))

    finding = found[figure][-1] if figure == "1st" else found[figure][0]
    assert finding.status == "mismatch" and finding.flagged, finding.message
    assert slip in finding.message
    assert finding.message.startswith("The national standing (All forces in England and Wales")


def test_the_largest_increase_in_the_region_is_flagged(row):
    text = REFERENCE_3_1.replace(
        "the smallest percentage increase in the region", "the largest percentage increase in the region"
    )

    region = by_text(check(text, [row]))["largest percentage increase in the region"][0]

    assert region.status == "mismatch" and region.flagged
    assert region.message.endswith(
        "shows: Smallest increase in East Midlands (5 forces); the text says the largest increase in the "
        "region."
    )


def test_a_harmless_rewording_raises_no_flag(row):
    text = (
        "Nationally, 36 of the 43 forces are recording a rise in recorded crime; among those "
        "Leicestershire is "
        "ranked 21st (where 1st is the biggest percentage rise). Leicestershire is recording the lowest "
        "percentage rise in the region."
    )

    found = check(text, [row])

    assert [f.status for f in sorted(found.values(), key=lambda f: f.start)] == ["match"] * 5
    assert not [f for f in found.values() if f.flagged]


def test_without_a_standing_the_sentences_cannot_be_checked(row):
    bare = {key: value for key, value in row.items() if key != "standing"}

    found = by_text(check(REFERENCE_3_1, [bare]))

    for figure in ("36", "43", "21st", "1st"):
        assert found[figure][0].status == "unsourced"
        assert "cannot be checked" in found[figure][0].message
    assert "smallest percentage increase in the region" not in found  # no standing: nothing to say


def test_the_most_similar_forces_rank_is_checked_against_the_peer_ranking_not_the_standing(row):
    peer = {"group": "Leicestershire Most Similar Forces", "rank": 1, "of": 8, "display": "MSF rank 1 of 8"}

    found = by_text(check(MSF_SENTENCE, [{**row, "peer": peer}]))
    second = by_text(check(MSF_SENTENCE.replace("ranked 1st", "ranked 2nd"), [{**row, "peer": peer}]))

    assert found["1st"][0].status == "match"
    assert found["1st"][0].message.startswith("The ranking shows MSF rank 1 of 8")
    assert second["2nd"][0].status == "mismatch"


def test_forces_counted_without_a_way_of_moving_are_not_read_as_a_standing(row):
    found = by_text(check("Inspectors have visited 12 out of the 43 forces so far.", [row]))

    assert found["12"][0].measure != "standing_count"
    assert found["43"][0].measure != "standing_of"


def test_which_way_the_ranking_runs_is_checked_against_the_forces_own_way(row):
    falling = {
        **row["standing"], "way": "decrease", "direction_same_way": "1st = largest decrease",
        "rank_same_way": {"rank": 3, "of": 7, "tied": False, "label": "3rd"},
    }  # fmt: skip
    rows = [{**row, "standing": falling}]
    text = "Of the forces recording a fall nationally, Leicestershire is ranked 3rd (where 1st is {})."

    plain = by_text(check(text.format("the largest"), rows))
    right = by_text(check(text.format("the largest percentage decrease"), rows))
    wrong = by_text(check(text.format("the largest percentage increase"), rows))

    assert plain["1st"][0].status == "match"
    assert right["1st"][0].status == "match"
    assert wrong["1st"][0].status == "mismatch"


def test_a_rank_among_all_forces_or_among_those_moving_the_same_way_is_read_as_written(row):
    falling = {
        **row["standing"], "way": "decrease", "direction_same_way": "1st = largest decrease",
        "rank_same_way": {"rank": 3, "of": 7, "tied": False, "label": "3rd"},
        "rank_all": {"rank": 41, "of": 43, "tied": False, "label": "41st"},
    }  # fmt: skip
    rows = [{**row, "standing": falling}]

    among_falls = by_text(check("Of the forces recording a fall nationally, we are ranked 3rd.", rows))
    of_all = by_text(check("Nationally we are ranked 41st of all forces.", rows))
    those = by_text(check("Seven forces nationally recorded a fall; out of those we are ranked 41st.", rows))

    assert among_falls["3rd"][0].status == "match"
    assert of_all["41st"][0].status == "match"
    assert those["41st"][0].status == "mismatch"
    assert "that is its rank among all 43 forces" in those["41st"][0].message


def test_a_count_of_falling_forces_is_read_against_the_decreases(row):
    found = by_text(
        check("Nationally 7 out of 43 forces are recording decreases while the rest rose.", [row])
    )

    assert found["7"][0].status == "match", found["7"][0].message
    assert "shows 7 of 43 forces recording a decrease" in found["7"][0].message
