"""Attribution before comparison: which KPI and which measure each figure claims, by cue word."""

import pytest

from kpis.periods import Period
from reports.checker import check_paragraph

from .test_checker import row

FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)
CRIME = row("3.1", "All Crime", 84_760, 92_924)
SEARCHES = row("5.1", "Number of Stop and Searches", 2_032, 3_716)
SEARCHES["kpi"]["aliases"] = ["stop searches", "stop and search"]
CONFIDENCE = row("4.2", "Public confidence", "76.6", "72.0", unit="percent", decimals=1)
CONFIDENCE["kpi"]["aliases"] = ["confidence level"]
CONFIDENCE["peer"] = {
    "group": "Most Similar Forces", "measure": "value", "rank": 6, "of": 8, "display": "MSF rank 6 of 8",
    "highest": {"value": "84.0", "display": "84.0%"}, "lowest": {"value": "68.0", "display": "68.0%"},
    "average": {"value": "74.75", "display": "74.8%"},
}  # fmt: skip
KNIFE = row("3.4a", "Knife crime offences", 2_329, 2_521)


def read(text, rows=(CRIME,), others=()):
    found = check_paragraph(
        text, section_rows=list(rows), other_rows=list(others),
        report_period=FY18.as_dict(), comparison_period=FY17.as_dict(),
    )  # fmt: skip
    return {f.text: f for f in found}


@pytest.mark.parametrize(
    ("text", "figure", "measure"),
    [
        ("The force recorded an additional 8,164 crimes.", "8,164", "change"),  # "an additional"
        ("The force recorded 8,164 more crimes.", "8,164", "change"),  # "more"
        ("All crime rose by 8,164 offences.", "8,164", "change"),  # "rose by"
        ("The force recorded 92,924 crimes in 2018/19.", "92,924", "current"),
        ("The force recorded 84,760 crimes in 2017/18.", "84,760", "previous"),
        ("Crime in 2018/19 stood at 92,924.", "92,924", "current"),
        (
            "Crime rose, this represents a +9.6% increase.",
            "+9.6%",
            "percent_change",
        ),  # "represents a … increase"
        ("The force recorded 8,164 more crimes (+10%).", "+10%", "percent_change"),
        ("There were around 680 more crimes per month.", "680", "monthly_change"),  # "per month"
        ("Crime is now around 7,744 crimes a month.", "7,744", "monthly_current"),
    ],
)
def test_count_measures_by_cue(text, figure, measure):
    finding = read(text)[figure]
    assert (finding.status, finding.kpi_code, finding.measure) == ("match", "3.1", measure), finding.message


@pytest.mark.parametrize(
    ("text", "figure", "measure"),
    [
        ("The force records a confidence level of 72%.", "72%", "current"),  # "level of"
        ("Public confidence has reduced by -4.6 percentage points.", "-4.6 percentage points", "change"),
        ("Public confidence places us 6th out of the 8 forces.", "6th", "peer_rank"),  # "ranked … out of"
        ("Public confidence places us 6th out of the 8 forces.", "8", "peer_of"),
        ("Public confidence varies, the highest being 84% and the lowest being 68%.", "84%", "peer_highest"),
        ("Public confidence varies, the highest being 84% and the lowest being 68%.", "68%", "peer_lowest"),
        ("Public confidence is 72%, against a group average of 74.8%.", "74.8%", "peer_average"),
    ],
)
def test_percentage_and_peer_measures_by_cue(text, figure, measure):
    finding = read(text, rows=[CONFIDENCE])[figure]
    assert (finding.status, finding.measure) == ("match", measure), finding.message


def test_fewer_and_reduced_by_claim_a_fall():
    assert read("All crime reduced by 8,164 offences.")["8,164"].status == "mismatch"
    assert read("The force recorded 8,164 fewer crimes.")["8,164"].status == "mismatch"


def test_a_share_is_not_a_change():
    finding = read("Approximately 30% of the stop searches led to an arrest.", rows=[SEARCHES])["30%"]
    assert (finding.status, finding.kpi_code, finding.measure) == ("unsourced", "5.1", "share")


def test_the_kpi_named_right_after_the_figure_wins():
    found = read("There were 2,521 knife crime offences. The force recorded 92,924 crimes.", others=[KNIFE])
    assert (found["2,521"].kpi_code, found["92,924"].kpi_code) == ("3.4a", "3.1")


def test_the_subject_carries_into_a_sentence_that_opens_with_this():
    text = "Knife crime offences rose by 192 offences. This represents around 16 more offences per month."
    finding = read(text, others=[KNIFE])["16"]
    assert (finding.status, finding.kpi_code, finding.measure) == ("match", "3.4a", "monthly_change")


def test_the_sections_only_kpi_unless_the_sentence_counts_something_else():
    assert read("The total rose by 8,164 this year.")["8,164"].kpi_code == "3.1"
    assert read("Burglary offences rose by 8,146 this year.")["8,146"].status == "unsourced"


def test_a_narrowed_phrase_names_something_else():
    text = "Offensive weapon stop and searches rose by 351 (+114%)."
    found = read(text, rows=[SEARCHES])
    assert found["351"].status == "unsourced" and found["+114%"].status == "unsourced"


def test_a_figure_that_counts_other_things_is_not_the_kpis():
    found = read("Stop searches led to 675 searches resulting in an arrest.", rows=[SEARCHES])
    assert found["675"].status == "unsourced"


def test_a_sentence_about_part_of_the_period_is_not_the_whole_periods_figure():
    assert read("In March 2019 the force recorded 8,000 crimes.")["8,000"].status == "unsourced"


def test_qualifier_tolerance_comes_from_the_figures_own_rounding():
    searches = read("Searches are now around 350 stop searches per month.", rows=[SEARCHES])["350"]
    assert searches.status == "mismatch"
    assert "“around 350” is written to the nearest 10, so it allows 345–355, which 309.7 a month is not" in (
        searches.message
    )
    over = read("Crime rose by over 8,000.")["8,000"]
    assert over.status == "match"
    over = read("Crime rose by over 9,000.")["9,000"]
    assert "“over 9,000” means at least 9,000 and under 10,000, which +8,164 is not." in over.message
