"""Figures as other forces write them: words, fractions, ranges, footnote markers, "down 4%"."""

import pytest

from reports.checker import extract_figures

from .test_checker import row
from .test_checker_attribution import CONFIDENCE, CRIME, SEARCHES, read

ANSWER = row("7.1", "Average time to answer 101 calls", 161, 134, unit="seconds")
OVERTIME = row("7.4", "Overtime spend", 2_012_750, 1_845_300, unit="currency")
VIOLENCE = row("7.3", "Violent crime per 1,000 population", "7.4", "6.9", decimals=1)


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("There were twelve searches.", [("count", "twelve", 12)]),
        ("There were two hundred and twenty-one fewer.", [("change", "two hundred and twenty-one", 221)]),
        ("Eight in ten calls were answered.", [("percent", "Eight in ten", 80)]),
        ("A third of victims.", [("percent", "A third", "33.33")]),
        (
            "Two-thirds of calls and half of all searches.",
            [("percent", "Two-thirds", "66.67"), ("percent", "half", 50)],
        ),
        ("In the first half of the year, half an hour.", []),
        ("It rose by between 10 and 12%.", [("percent", "between 10 and 12%", 10)]),
        (
            "It rose 0.9pp, or 1.2 ppts, or 3 % points.",
            [("points", "0.9pp", "0.9"), ("points", "1.2 ppts", "1.2"), ("points", "3 % points", 3)],
        ),
        ("Searches totalled 1,241¹.", [("count", "1,241", 1241)]),
        ("Searches totalled 1,241 [2].", [("count", "1,241", 1241)]),
        ("Searches totalled 1,241 (note 3).", [("count", "1,241", 1241)]),
        ("Within two hours, one of the forces, a quarter of a million.", []),
    ],
)
def test_figures_written_other_ways(text, figures):
    from decimal import Decimal

    found = [(f.kind, f.text, f.value) for f in extract_figures(text)]
    assert found == [(kind, written, Decimal(str(value))) for kind, written, value in figures]


@pytest.mark.parametrize(
    ("text", "rows", "figure", "status", "measure"),
    [
        ("Searches rose by between 10 and 12%.", [SEARCHES], "between 10 and 12%", "mismatch", ""),
        ("Searches rose by between 82 and 84%.", [SEARCHES], "between 82 and 84%", "match", "percent_change"),
        ("Public confidence was seven in ten.", [CONFIDENCE], "seven in ten", "match", "current"),
        ("Public confidence was six in ten.", [CONFIDENCE], "six in ten", "mismatch", "current"),
        ("All crime was down 8% on last year.", [CRIME], "8%", "mismatch", "percent_change"),
        ("The force recorded 92.9k crimes.", [CRIME], "92.9k", "match", "current"),
        ("The force recorded 29.9k crimes.", [CRIME], "29.9k", "mismatch", "current"),
        ("There were nine thousand more crimes.", [CRIME], "nine thousand", "mismatch", "change"),
        ("Callers waited 2 minutes 31 seconds.", [ANSWER, CRIME], "2 minutes 31 seconds", "mismatch", ""),
        ("Violent crime was 6.4 offences per 1,000 population.", [VIOLENCE, CRIME], "6.4", "mismatch", ""),
        ("Spend on overtime fell to £1.8m.", [OVERTIME, CRIME], "£1.8m", "match", "current"),
        ("Stop and searches rose 38%.", [SEARCHES], "38%", "mismatch", "percent_change"),  # no "by"
        ("The time to answer improved by 37 seconds.", [ANSWER, CRIME], "37 seconds", "mismatch", "change"),
        ("The time to answer improved by 27 seconds.", [ANSWER, CRIME], "27 seconds", "match", "change"),
    ],
)  # fmt: skip
def test_wording_is_attributed_and_checked(text, rows, figure, status, measure):
    finding = read(text, rows=rows)[figure]
    assert finding.status == status, finding.message
    assert not measure or finding.measure == measure, finding.measure


def test_words_no_data_speaks_of_are_not_listed_as_figures():
    assert "three" not in read("Three officers attended; crime rose by 8,164.")


@pytest.mark.parametrize(
    "text",
    [
        "Stop and searches rose by 1,684, around 10 a day.",
        "Stop and searches rose by 1,684, or between 30 and 40 searches per week.",
    ],
)
def test_a_rate_over_a_day_or_a_week_is_not_the_kpis_total(text):
    found = read(text, rows=[SEARCHES])
    assert [f.status for f in found.values()] == ["match", "unsourced"], [f.message for f in found.values()]


def test_the_month_a_year_to_date_ends_with_is_not_part_of_the_period():
    from kpis.periods import Period
    from reports.checker import check_paragraph

    ytd = Period(Period.financial_year(2023).start, Period.month(2023, 11).end)
    crime = row("Y1", "Recorded crime", 61_870, 60_112)

    def status(text):
        found = check_paragraph(
            text, section_rows=[crime, ANSWER], report_period=ytd.as_dict(),
            comparison_period=ytd.same_period_last_year().as_dict(),
        )  # fmt: skip
        return next(f.status for f in found if f.text == "61,012")

    assert status("In the year to November 2023 the force recorded 61,012 crimes.") == "mismatch"
    assert status("Between April and November 2023 recorded crime was 61,012.") == "mismatch"
    assert status("In November 2023 alone recorded crime was 61,012.") == "unsourced"  # one month of it


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("Violent crime stood at 6.9 offences per 1,000 population.", "current"),  # "stood at" alone: a level
        ("Violent crime stood at 7.4 offences per 1,000 population in 2017/18.", "previous"),  # past "1,000"
    ],
)
def test_stood_at_is_a_level_and_a_thousands_comma_does_not_end_the_clause(text, measure):
    finding = read(text, rows=[VIOLENCE, CRIME])[text.split(" at ")[1].split()[0]]
    assert (finding.status, finding.measure) == ("match", measure), finding.message


@pytest.mark.parametrize(
    "text",
    [
        "All crime rose to 92,924, compared with 84,760.",
        "All crime rose to 92,924, compared to 84,760 last year.",
        "All crime was 92,924 this year and 84,760 the previous year.",
    ],
)
def test_the_comparison_years_figure_is_the_previous_total(text):
    finding = read(text)["84,760"]
    assert (finding.status, finding.measure) == ("match", "previous"), finding.message
    slipped = read(text.replace("84,760", "84,670"))["84,670"]
    assert (slipped.status, slipped.measure) == ("mismatch", "previous"), slipped.message
