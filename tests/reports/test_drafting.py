"""Drafted sentences from snapshot rows."""

from decimal import Decimal

import pytest

from kpis.comparison import compare_values
from kpis.periods import Period
from kpis.series import PeriodValue
from reports.drafting import draft_sentence, duration_words, short_name

FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)


def row(name, previous, current, *, unit="count", decimals=0):
    def pv(period, value):
        v = None if value is None else Decimal(str(value))
        return PeriodValue(period, v, 12, 12 if v is not None else 0, "months" if v is not None else "none")

    comparison = compare_values(pv(FY18, current), pv(FY17, previous), unit=unit, decimals=decimals)
    return {
        "kpi": {"code": "x", "name": name, "unit": unit, "decimals": decimals},
        "comparison": comparison.as_dict(),
    }


def test_a_rise_reads_like_the_issue_example():
    assert draft_sentence(row("Number of 999 Calls", 138_893, 150_536)) == (
        "999 calls rose by 11,643 (+8%) to 150,536 compared with 2017/18."
    )


def test_a_fall():
    assert draft_sentence(row("Number of 101 Calls", 501_342, 383_000)) == (
        "101 calls fell by 118,342 (-24%) to 383,000 compared with 2017/18."
    )
    assert draft_sentence(row("Volume of Positive Outcomes", 10_806, 10_585)) == (
        "Positive outcomes fell by 221 (-2%) to 10,585 compared with 2017/18."
    )


def test_unchanged():
    assert draft_sentence(row("Number of Incidents", 239_920, 239_920)) == (
        "Incidents stayed at 239,920, the same as in 2017/18."
    )


def test_a_change_too_small_to_show():
    assert draft_sentence(row("User satisfaction", "75.02", "75.04", unit="percent", decimals=1)) == (
        "User satisfaction stayed almost the same, at 75.0%, compared with 2017/18."
    )


def test_percent_kpis_change_in_points():
    assert draft_sentence(row("Public confidence", "76.6", "72.0", unit="percent", decimals=1)) == (
        "Public confidence fell by 4.6 percentage points to 72.0% compared with 2017/18."
    )
    assert draft_sentence(row("Public confidence", "71", "72", unit="percent")) == (
        "Public confidence rose by 1 percentage point to 72% compared with 2017/18."
    )


def test_durations_in_words():
    assert draft_sentence(row("Average time to answer a 101 call", 80, 74, unit="seconds")) == (
        "Average time to answer a 101 call fell by 6 seconds to 1 minute 14 seconds compared with 2017/18."
    )


def test_money():
    assert draft_sentence(row("Knife crime fund", "100000", "107020.62", unit="currency", decimals=2)) == (
        "Knife crime fund rose by £7,020.62 (+7%) to £107,020.62 compared with 2017/18."
    )


def test_missing_figures():
    assert draft_sentence(row("Number of 999 Calls", 138_893, None)) == (
        "There is no 2018/19 figure yet for 999 calls."
    )
    assert draft_sentence(row("All Crime", None, 92_924)) == (
        "All crime: 92,924 in 2018/19; there is no 2017/18 figure to compare with."
    )
    assert draft_sentence(row("ASB incidents", None, None)) == (
        "There are no figures for ASB incidents for 2018/19 or 2017/18."
    )


def test_a_period_with_some_months_missing_is_not_said_to_have_no_figures():
    def partial(name, previous_months, current_months, value=Decimal(900)):
        def pv(period, months):
            full = months == 12
            return PeriodValue(period, value if full else None, 12, months, "months" if full else "none")

        current, previous = pv(FY18, current_months), pv(FY17, previous_months)
        comparison = compare_values(current, previous, unit="count", decimals=0)
        return {"kpi": {"code": "x", "name": name, "unit": "count"}, "comparison": comparison.as_dict()}

    assert draft_sentence(partial("Non-emergency calls", 11, 11)) == (
        "There is no total yet for non-emergency calls: 2018/19 has figures for 11 of 12 months and "
        "2017/18 figures for 11 of 12 months."
    )
    assert draft_sentence(partial("Non-emergency calls", 0, 11)) == (
        "There is no total yet for non-emergency calls: 2018/19 has figures for 11 of 12 months and "
        "2017/18 no figures."
    )
    assert draft_sentence(partial("Overtime spend", 12, 11)) == (
        "There is no 2018/19 total yet for overtime spend: it has figures for 11 of 12 months."
    )
    assert draft_sentence(partial("Overtime spend", 11, 12)) == (
        "Overtime spend: 900 in 2018/19; there is no 2017/18 total to compare with "
        "(figures for 11 of 12 months)."
    )


def test_a_previous_value_of_zero_has_no_percentage():
    assert draft_sentence(row("Domestic Violence Prevention Orders", 0, 5)) == (
        "Domestic violence prevention orders rose by 5 to 5 compared with 2017/18 (from zero)."
    )


def test_a_row_without_data_does_not_crash():
    assert (
        draft_sentence({}) == "There are no figures for this measure for this period or the previous period."
    )
    assert draft_sentence({"kpi": {"name": "All Crime"}, "comparison": {"current": {"value": "oops"}}}) == (
        "There are no figures for all crime for this period or the previous period."
    )


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Number of 999 Calls", "999 calls"),
        ("Number of Stop and Searches", "Stop and searches"),
        ("All Crime", "All crime"),
        ("ASB incidents", "ASB incidents"),
        ("Number of CSE Offences", "CSE offences"),
    ],
)
def test_short_names(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (74, "1 minute 14 seconds"),
        (5, "5 seconds"),
        (3660, "1 hour 1 minute"),
        (0, "0 seconds"),
        (60.4, "1 minute"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(Decimal(str(seconds))) == words


@pytest.mark.parametrize(
    "drafted_row",
    [
        row("Number of 999 Calls", 138_893, 150_536),
        row("Number of 101 Calls", 501_342, 383_000),
        row("Volume of Positive Outcomes", 10_806, 10_585),
        row("Public confidence", "76.6", "72.0", unit="percent", decimals=1),
        row("Average time to answer a 101 call", 80, 74, unit="seconds"),
        row("Knife crime fund", "100000", "107020.62", unit="currency", decimals=2),
        row("Number of Incidents", 239_920, 239_920),
    ],
)
def test_the_checker_agrees_with_every_drafted_sentence(drafted_row):
    from reports.checker import check_paragraph

    sentence = draft_sentence(drafted_row)
    findings = check_paragraph(
        sentence,
        section_rows=[drafted_row],
        report_period=FY18.as_dict(),
        comparison_period=FY17.as_dict(),
    )
    assert findings, sentence
    assert {(f.text, f.status) for f in findings if f.status != "match"} == set(), sentence


def test_draft_sentences_cover_every_row_of_the_reference():
    from reports.drafting import draft_sentences

    from .fixtures.reference import reference_snapshot

    drafts = draft_sentences(reference_snapshot())
    # 4.2 (public confidence) is the demo's peer-compared row; it has no annual figures here.
    assert [d["code"] for d in drafts] == ["1.1", "1.2", "2.1", "3.1", "4.1", "4.2", "5.1"]
    assert drafts[3] == {
        "section": "Crime",
        "code": "3.1",
        "name": "All Crime",
        "sentence": "All crime rose by 8,164 (+10%) to 92,924 compared with 2017/18.",
    }
    assert drafts[-1]["sentence"] == "Stop and searches rose by 1,684 (+83%) to 3,716 compared with 2017/18."
