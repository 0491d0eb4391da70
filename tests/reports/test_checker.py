"""The commentary checker: figure extraction on real sentences, and the whole reference report."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.comparison import compare_values
from kpis.periods import Period
from kpis.series import PeriodValue
from reports.checker import NO_SOURCE, check_paragraph, check_snapshot, extract_figures, findings_by_paragraph

from .fixtures.reference import reference_snapshot

FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)


def row(code, name, previous, current, *, unit="count", decimals=0, months=12):
    def pv(period, value):
        v = None if value is None else Decimal(str(value))
        return PeriodValue(
            period, v, months, months if v is not None else 0, "months" if v is not None else "none"
        )

    comparison = compare_values(pv(FY18, current), pv(FY17, previous), unit=unit, decimals=decimals)
    return {
        "kpi": {"code": code, "name": name, "unit": unit, "decimals": decimals},
        "comparison": comparison.as_dict(),
    }


ALL_CRIME = row("3.1", "All Crime", 84_760, 92_924)


def check(text, rows=(ALL_CRIME,), period=FY18, comparison=FY17):
    return check_paragraph(
        text, section_rows=list(rows), report_period=period.as_dict(), comparison_period=comparison.as_dict()
    )


def by_text(findings):
    return {f.text: f for f in findings}


# --------------------------------------------------------------------------- extraction
def figures_of(text):
    return [(f.kind, f.text) for f in extract_figures(text)]


def test_extraction_of_paragraph_1_1_skips_the_phone_number_and_reads_the_qualifier():
    text = (
        "The Contact Management Department (CMD) has dealt with an increase in 999 calls in excess of "
        "over of 11,000 calls throughout the 18/19 financial year compared to the 17/18 year. The average "
        "time to answer a 999 call for the 18/19 financial year is 5 seconds with an average call length "
        "lasting 8 minutes 54 seconds."
    )
    figures = extract_figures(text)
    assert [(f.kind, f.text) for f in figures] == [
        ("count", "11,000"),
        ("period", "18/19"),
        ("period", "17/18"),
        ("period", "18/19"),
        ("duration", "5 seconds"),
        ("duration", "8 minutes 54 seconds"),
    ]
    assert figures[0].qualifier == "over" and figures[0].value == 11_000
    assert figures[1].period == (date(2018, 4, 1), date(2019, 3, 31))
    assert figures[5].value == 8 * 60 + 54


def test_extraction_of_changes_signs_grades_and_durations_in_2_1():
    text = (
        "CMD created 11,534 fewer incidents in comparison to the previous year. The number of Grade 2 "
        "Emergency incidents (those requiring attendance within two hours) have reduced by 2% (-1,043 "
        "incidents). The number of Grade 1 Priority incidents (those requiring a police attendance within "
        "15 minutes) have increased by 0.3% (98 incidents) when compared with the previous financial year."
    )
    figures = extract_figures(text)
    assert [(f.kind, f.text) for f in figures] == [
        ("change", "11,534"),
        ("percent", "2%"),
        ("change", "-1,043"),
        ("duration", "15 minutes"),
        ("percent", "0.3%"),
        ("count", "98"),
    ]
    assert figures[2].sign == -1 and figures[2].value == 1043
    assert figures[4].decimals == 1
    assert figures[3].value == 900


def test_extraction_of_money_in_3_5_and_3_6():
    text = (
        "In May 2019 it was confirmed that £1.4 million would be available. The PCC has made available £100k "
        "from reserves. 10 projects were funded with the total expenditure of a little over £100,000 "
        "(£107,020.62)."
    )
    money = {f.text: f for f in extract_figures(text) if f.kind == "money"}
    assert money["£1.4 million"].value == 1_400_000
    assert Decimal(100_000) in money["£1.4 million"].units  # written to the nearest £0.1 million
    assert money["£100k"].value == 100_000
    assert money["£100,000"].qualifier == "over"
    assert money["£107,020.62"].value == Decimal("107020.62") and money["£107,020.62"].decimals == 2


def test_extraction_of_periods_ranges_quarters_and_as_at_dates():
    text = (
        "For the period January 18 - December 18, the force is currently recording a confidence level "
        "of 72%. "
        "The public confidence level has reduced by -4.6 percentage points when compared to the Jan 17 – "
        "Dec 17 period. The volume recorded in Quarter 3 and Quarter 4 of 18/19 fell; Q4 2018/19 against "
        "Q4 of 17/18. ASB satisfaction has decreased to 70.2% as at the end of March 2018, no change since "
        "2015. IOM, as at 31st March 2019, manages 347 offenders; the New Zealand shooting was on the "
        "15th March."
    )
    figures = {f.text: f for f in extract_figures(text)}
    assert figures["January 18 - December 18"].period == (date(2018, 1, 1), date(2018, 12, 31))
    assert figures["Jan 17 – Dec 17"].period == (date(2017, 1, 1), date(2017, 12, 31))
    assert figures["-4.6 percentage points"].kind == "points" and figures["-4.6 percentage points"].sign == -1
    assert figures["Quarter 3"].period == (date(2018, 10, 1), date(2018, 12, 31))
    assert figures["Quarter 4 of 18/19"].period == (date(2019, 1, 1), date(2019, 3, 31))
    assert figures["Q4 2018/19"].period == (date(2019, 1, 1), date(2019, 3, 31))
    assert figures["Q4 of 17/18"].period == (date(2018, 1, 1), date(2018, 3, 31))
    as_at = figures["as at the end of March 2018"]
    assert as_at.as_at and as_at.period == (date(2018, 3, 31), date(2018, 3, 31))
    assert figures["as at 31st March 2019"].period == (date(2019, 3, 31), date(2019, 3, 31))
    assert figures["2015"].kind == "year"
    assert "15th March" not in figures and "15" not in figures  # a day of the month, not a figure
    assert figures["347"].kind == "count"


def test_a_range_of_numbers_is_not_a_negative_change():
    figures = extract_figures("there are around 100-120 high risk Domestic Abuse cases")
    assert [(f.kind, f.text, f.sign) for f in figures] == [("count", "100", 0), ("count", "120", 0)]


def test_ranks_and_percent_signs_in_3_1():
    text = "this represents a +9.6% increase. Leicestershire is ranked 21st (where 1st is the largest)."
    assert figures_of(text) == [("percent", "+9.6%"), ("rank", "21st"), ("rank", "1st")]
    assert extract_figures(text)[0].sign == 1


def test_text_without_figures_gives_nothing():
    assert extract_figures("") == []
    assert check("The Panel is recommended to discuss and note the contents of the report.") == []


# --------------------------------------------------------------------------- matching
def test_a_percentage_at_finer_precision_agrees_and_says_what_the_table_shows():
    found = by_text(check("The force recorded an additional 8,164 crimes, this represents a +9.6% increase."))
    assert found["8,164"].status == "match" and found["8,164"].kpi_code == "3.1"
    assert found["+9.6%"].status == "match"
    assert found["+9.6%"].data_value == "+10%"
    assert found["+9.6%"].message == (
        "The table shows +10% (8,164 / 84,760 = +9.63%); +9.6% agrees at one decimal place."
    )


def test_a_percentage_that_disagrees_with_its_change_is_a_mismatch():
    found = by_text(check("The force recorded an additional 8,164 crimes, a +9% increase."))
    assert found["+9%"].status == "mismatch"
    assert found["+9%"].message == (
        "The text ties +9% to 3.1 All Crime (the % change); the table gives +10% (8,164 / 84,760 = +9.63%)."
    )
    assert found["+9%"].flagged


def test_a_change_in_the_wrong_direction_is_a_mismatch():
    found = by_text(check("All crime reduced by 8,164 offences compared with 2017/18."))
    assert found["8,164"].status == "mismatch"
    assert found["8,164"].message == "The table shows +8,164, a rise; the text describes a fall."


def test_a_near_miss_count_is_a_mismatch_that_names_the_slip():
    found = by_text(check("The force recorded an additional 8,146 crimes."))
    assert found["8,146"].status == "mismatch"
    assert found["8,146"].message == (
        "The text ties 8,146 to 3.1 All Crime (the change); the table gives +8,164; two digits look swapped."
    )


def test_a_figure_nothing_is_known_about_is_unsourced():
    found = by_text(check("The force ran 12 workshops."))
    assert found["12"].status == "unsourced" and found["12"].message == NO_SOURCE


def test_qualifiers_give_bounds_and_rounding():
    calls = row("1.2", "Number of 101 Calls", 501_342, 383_000)
    found = by_text(check("101 demand has reduced by over 100,000 calls.", rows=[calls]))
    assert found["100,000"].status == "match"
    over = by_text(check("101 demand has reduced by over 200,000 calls.", rows=[calls]))["200,000"]
    assert over.status == "mismatch"
    assert "“over 200,000” means at least 200,000 and under 300,000, which -118,342 is not" in over.message
    assert by_text(check("The force received approximately 380,000 calls.", rows=[calls]))[
        "380,000"
    ].status == ("match")
    # without a qualifier a round number must be exact
    assert by_text(check("The force received 380,000 calls.", rows=[calls]))["380,000"].status == "mismatch"


def test_another_measures_percentage_is_not_matched_to_the_table():
    # 3.8: hate crime +10% beside its own count: not All Crime's +10%
    found = by_text(check("Hate crime offences have increased by 152 offences (+10%) when compared."))
    assert found["+10%"].status == "unsourced"


def test_percent_kpis_points_money_and_durations_match_their_rows():
    confidence = row("4.2", "Public confidence", "76.6", "72.0", unit="percent", decimals=1)
    money = row("3.6", "Knife crime fund spent", "0", "107020.62", unit="currency", decimals=2)
    answer = row("1.3", "Average time to answer 101", "80", "74", unit="seconds")
    text = (
        "Confidence is 72%, down -4.6 percentage points. The fund spent £107,020.62. "
        "The average time to answer a 101 call was 1 minute 14 seconds."
    )
    found = by_text(check(text, rows=[confidence, money, answer]))
    assert found["72%"].status == "match" and found["72%"].kpi_code == "4.2"
    assert found["-4.6 percentage points"].status == "match"
    assert found["£107,020.62"].status == "match" and found["£107,020.62"].kpi_code == "3.6"
    assert found["1 minute 14 seconds"].status == "match" and found["1 minute 14 seconds"].kpi_code == "1.3"


def test_missing_figures_leave_everything_unsourced():
    empty = row("3.1", "All Crime", None, None)
    found = check("The force recorded an additional 8,164 crimes, a +9.6% increase.", rows=[empty])
    assert {f.status for f in found} == {"unsourced"}


def test_the_same_quarter_in_a_quarterly_report_is_fine():
    q3, q3_before = Period.quarter(2018, 3), Period.quarter(2017, 3)
    found = check(
        "Crime rose compared to the same quarter of the previous year.", period=q3, comparison=q3_before
    )
    assert [f.status for f in found] == []
    found = check("Crime rose compared to the same quarter of the previous year.")
    assert [f.status for f in found] == ["period"]


def test_a_financial_year_the_report_does_not_cover_is_flagged():
    found = by_text(check("In 2016/17 there were more."))
    assert found["2016/17"].status == "period"
    assert found["2016/17"].message == "2016/17 is not a period of this report (2018/19 against 2017/18)."


def test_html_only_paragraphs_are_read_as_text():
    snapshot = {
        "report": {"period": FY18.as_dict(), "comparison": FY17.as_dict()},
        "sections": [
            {
                "kind": "performance",
                "rows": [ALL_CRIME],
                "paragraphs": [{"number": "3.1", "text": "", "html": "<p>+8,164 <em>crimes</em></p>"}],
            },
            {"kind": "glossary", "rows": [], "paragraphs": [{"number": "x", "text": "2016/17", "html": ""}]},
        ],
    }
    findings = check_snapshot(snapshot)
    assert [(f.paragraph, f.text, f.status) for f in findings] == [("3.1", "+8,164", "match")]


# --------------------------------------------------------------------------- the reference report
@pytest.fixture(scope="module")
def reference_findings():
    return check_snapshot(reference_snapshot())


def find(findings, paragraph, text):
    matches = [f for f in findings if f.paragraph == paragraph and f.text == text]
    assert matches, f"{text!r} not found in {paragraph}"
    return matches[0]


def test_reference_flags_exactly_the_known_disagreements(reference_findings):
    flagged = {(f.paragraph, f.text, f.status) for f in reference_findings if f.flagged}
    assert flagged == {
        ("3.1", "the same quarter", "period"),
        ("4.4", "as at the end of March 2018", "period"),
        ("3.11", "62%", "unsourced"),
        # A real disagreement: 2017/18's 2,032 searches are 169.3 a month, not "circa 150"
        # (and the text's own "approximately 140" more a month makes 310 - 140 = 170).
        ("5.1", "150", "mismatch"),
    }


def test_reference_3_1_says_same_quarter_for_a_whole_year(reference_findings):
    same = find(reference_findings, "3.1", "the same quarter")
    assert same.message == (
        "The report compares 2018/19 with 2017/18, whole periods of 12 months; “the same quarter” does not "
        "describe them."
    )


def test_reference_3_1_percentage_agrees_at_a_different_precision(reference_findings):
    pct = find(reference_findings, "3.1", "+9.6%")
    assert (pct.status, pct.kpi_code, pct.data_value) == ("match", "3.1", "+10%")
    assert "The table shows +10%" in pct.message and "one decimal place" in pct.message


def test_reference_4_4_as_at_date_is_outside_the_report(reference_findings):
    as_at = find(reference_findings, "4.4", "as at the end of March 2018")
    assert as_at.status == "period"
    assert as_at.message == (
        "“as at the end of March 2018” is outside the report period 2018/19 (April 2018 – March 2019). "
        "It is the end of 2017/18; did you mean March 2019?"
    )


def test_reference_3_11_unsigned_percentage_is_questioned_honestly(reference_findings):
    pct = find(reference_findings, "3.11", "62%")
    # There is no CSE row in the table: the checker cannot say the figure is wrong, only that
    # it is ambiguous, and what each reading would imply.
    assert pct.status == "unsourced" and pct.kpi_code == ""
    assert "no sign" in pct.warning and "(-30%)" in pct.warning
    assert "61 implies 98–99 before and 37–38 after" in pct.warning  # 61/98 = 62.2%, 61/99 = 61.6%
    assert "159–162 before" in pct.warning  # 61/159 = 38.4%, 61/162 = 37.7% -> 62% left


@pytest.mark.parametrize(
    ("paragraph", "text", "code"),
    [
        ("1.1", "11,000", "1.1"),  # "in excess of over of 11,000": 11,643 is over 11,000
        ("1.3", "100,000", "1.2"),  # "reduced by over 100,000": -118,342
        ("2.1", "11,534", "2.1"),
        ("3.1", "8,164", "3.1"),
        ("4.1", "2%", "4.1"),  # -221 / 10,806 = -2.05%
        ("5.1", "83%", "5.1"),  # +1,684 / 2,032 = +82.87%
        ("5.1", "140", "5.1"),  # "approximately 140 … every month": 1,684 / 12 = 140.3
        ("5.1", "310", "5.1"),  # "around 310 … per month": 3,716 / 12 = 309.7
    ],
)
def test_reference_figures_that_agree_with_the_tables_pass(reference_findings, paragraph, text, code):
    finding = find(reference_findings, paragraph, text)
    assert (finding.status, finding.kpi_code) == ("match", code)


def test_reference_periods_of_the_report_pass(reference_findings):
    assert find(reference_findings, "1", "1 April 2018 to 31 March 2019").status == "match"
    assert find(reference_findings, "3.11", "Q4 of 17/18").status == "match"
    assert find(reference_findings, "5.3", "as at 31st March 2019").status == "match"
    may = find(reference_findings, "3.5", "May 2019")  # an event after the period, with its source note
    assert (may.status, may.source_note) == (
        "noted",
        "Date of the Home Office funding confirmation, after the report period.",
    )


def test_findings_group_by_paragraph(reference_findings):
    groups = findings_by_paragraph(reference_findings)
    numbers = [g["number"] for g in groups]
    assert numbers[:3] == ["1", "1.1", "1.2"]
    assert [f.text for f in next(g for g in groups if g["number"] == "4.4")["flagged"]] == [
        "as at the end of March 2018"
    ]


def test_the_checker_partial_lists_findings_per_paragraph_and_opens_flagged_ones(reference_findings):
    from django.template.loader import render_to_string

    html = render_to_string("reports/checker.html", {"findings": reference_findings})
    assert html.count("<details") == len({f.paragraph for f in reference_findings})
    assert html.count(" open>") == 4  # 3.1, 3.11, 4.4 and 5.1
    assert "Period not covered:</strong>\n            <q>as at the end of March 2018</q>" in html
    assert "<q>+9.6%</q> (KPI 3.1; the data gives +10%)" in html
    assert "Question:" in html
    dicts = render_to_string("reports/checker.html", {"findings": [f.as_dict() for f in reference_findings]})
    assert dicts.count(" open>") == 4


def test_the_checker_partial_escapes_what_it_shows():
    from django.template.loader import render_to_string

    from reports.checker import Finding

    finding = Finding(paragraph="<b>1</b>", start=0, end=1, text="<script>", kind="count", status="mismatch")
    html = render_to_string("reports/checker.html", {"findings": [finding]})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert render_to_string("reports/checker.html", {"findings": []}).count("no figures to check") == 1


CALLS = row("1.1", "Number of 999 Calls", 138_893, 150_536)


@pytest.mark.parametrize(
    ("text", "figure", "message"),
    [
        (
            "Calls rose by nearly 12,000.",
            "12,000",
            "The table shows +11,643 (1.1 Number of 999 Calls, change); “nearly 12,000” agrees.",
        ),
        (
            "Calls rose by just over 11,000.",
            "11,000",
            "The table shows +11,643 (1.1 Number of 999 Calls, change); “just over 11,000” agrees.",
        ),
        (
            "Calls rose by 11.6k.",
            "11.6k",
            "The table shows +11,643 (1.1 Number of 999 Calls, change); 11.6k agrees at the nearest 100.",
        ),
        (
            "There were 0.15 million calls.",
            "0.15 million",
            "The table shows 150,536 (1.1 Number of 999 Calls, current); 0.15 million agrees at the nearest "
            "10,000.",
        ),
        (
            "999 calls increased by 8% (11,643 calls) to 150,536.",
            "8%",
            "The table shows +8% (11,643 / 138,893 = +8.38%); 8% agrees.",
        ),
        (
            "Calls rose by 11,643 (8.4 per cent).",
            "8.4 per cent",
            "The table shows +8% (11,643 / 138,893 = +8.38%); 8.4 per cent agrees at one decimal place.",
        ),
    ],
)
def test_ways_of_writing_a_figure_that_agree(text, figure, message):
    found = by_text(check(text, rows=[CALLS]))
    assert found[figure].status == "match"
    assert found[figure].message == message


def test_a_percentage_alone_in_the_wrong_direction_is_a_mismatch():
    found = by_text(check("All crime fell by 10%."))
    assert found["10%"].status == "mismatch"
    assert found["10%"].message == "The table shows +10%, a rise; the text describes a fall."


@pytest.mark.parametrize(
    ("paragraph", "text", "code"),
    [
        ("2.3", "-7%", "2.3a"),  # 6,565 this year after a fall of 462: the catalogue holds 2.3a
        ("2.4", "+23%", "2.4a"),
        ("3.4", "+8%", "3.4a"),
        ("5.2", "220%", "5.2a"),
        ("5.6", "-5%", "5.6a"),
    ],
)
def test_reference_percentages_of_kpis_outside_the_tables_are_checked_against_the_catalogue(
    reference_findings, paragraph, text, code
):
    finding = find(reference_findings, paragraph, text)
    assert (finding.status, finding.kpi_code) == ("match", code)


@pytest.mark.parametrize(
    ("text", "figure", "sum_text"),
    [
        (
            "The unit dealt with 6,565 cases. Cases fell (-7%, a reduction of 462 cases).",
            "-7%",
            "-462 / (6,565 + 462) = -6.57%",
        ),
        (
            "There were 5,198 cases. In 17/18 there were 4,242 cases, a +23% growth.",
            "+23%",
            "(5,198 - 4,242) / 4,242 = +22.54%",
        ),
        ("There were 2,521 cases, an increase of 192 cases (+8%).", "+8%", "192 / (2,521 - 192) = +8.24%"),
        (
            "The unit handled 153 cases, down on the year before, which stood at 161 (-5%).",
            "-5%",
            "(153 - 161) / 161 = -4.97%",
        ),
    ],
)
def test_percentages_no_data_holds_agree_with_the_paragraphs_own_figures(text, figure, sum_text):
    finding = by_text(check(text, rows=[]))[figure]
    assert finding.status == "match" and finding.kpi_code == ""
    assert finding.message == f"No table figure, but it agrees with the paragraph's own figures: {sum_text}."


def test_a_percentage_its_own_figures_do_not_support_stays_unsourced():
    # 462 / 7,027 = 6.6%: "-9%" fits no total nearby, but the checker cannot know which totals
    # the author meant, so it lists the figure as unchecked rather than calling it wrong.
    found = by_text(
        check("The force dealt with 6,565 domestic incidents (-9%, a reduction of 462 incidents).")
    )
    assert found["-9%"].status == "unsourced"
    # a total three sentences away does not vouch for it
    text = "There were 6,565. Then more. And more. Incidents fell (-7%, a reduction of 462 incidents)."
    assert by_text(check(text))["-7%"].status == "unsourced"


@pytest.mark.browser
def test_the_checker_partial_passes_axe(page, reference_findings):
    from django.template.loader import render_to_string

    from tests.conftest import run_axe, screenshot

    partial = render_to_string("reports/checker.html", {"findings": reference_findings})
    page.set_content(
        f'<!doctype html><html lang="en"><head><title>Checker</title></head><body><main>'
        f"<h1>Review</h1><h2>Commentary checker</h2>{partial}</main></body></html>"
    )
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert run_axe(page) == []
    assert page.get_by_text("Period not covered:").count() == 2
    screenshot(page, "checker-partial")


def test_peer_figures_in_the_commentary_are_checked_against_the_frozen_ranking():
    from reports.checker import check_paragraph

    row = {
        "kpi": {"code": "4.2", "name": "Public confidence", "unit": "percent", "decimals": 1},
        "comparison": {
            "current": {"value": "72.0"},
            "previous": {"value": "76.6"},
            "change": "-4.6",
            "percent_change": None,
            "current_display": "72.0%",
            "previous_display": "76.6%",
            "change_display": "-4.6 pts",
            "percent_change_display": "–",
        },
        "peer": {
            "group": "Leicestershire Most Similar Forces",
            "measure": "value",
            "rank": 6,
            "display": "MSF rank 6 of 8",
            "of": 8,
            "highest": {"name": "Hertfordshire", "value": "84.0", "display": "84.0%"},
            "lowest": {"name": "Bedfordshire", "value": "68.0", "display": "68.0%"},
            "average": {"name": "Group average", "value": "74.75", "display": "74.8%"},
        },
    }
    text = (
        "The force is currently recording a confidence level of 72%. This places us 6th out of the 8 "
        "most similar forces comparison (the highest being 84% and the lowest being 67%)."
    )
    findings = check_paragraph(
        text, section_rows=[row], report_period=FY18.as_dict(), comparison_period=FY17.as_dict(), number="4.2"
    )
    by_text = {f.text: f for f in findings}
    assert by_text["84%"].status == "match"
    assert "highest in Leicestershire Most Similar Forces" in by_text["84%"].message
    assert by_text["72%"].status == "match"
    assert by_text["67%"].status != "match"
    assert by_text["6th"].status == "match"
    assert by_text["6th"].message.startswith("The ranking shows MSF rank 6 of 8")
    assert by_text["8"].status == "match"


def test_the_reference_report_is_traced_to_data_or_source_notes(reference_findings):
    from reports.checker import summarise, summary_line

    counts = summarise(reference_findings)
    assert (counts["match"] + counts["noted"]) / counts["figures"] >= 0.9
    assert summary_line(reference_findings) == (
        f"182 figures: {counts['match']} agree with the data, 1 disagrees, 2 name a period the report does "
        f"not cover, {counts['noted']} have a source note, 1 unsourced; 3 claims of significance: 0 agree "
        "with the test, 0 disagree, 3 cannot be checked"  # the fixture's rows carry no significance result
    )
    assert counts["claims"] == 3


def test_source_notes_attach_to_the_figure_written_and_its_occurrence():
    notes = [{"figure": "£100,000", "occurrence": 2, "note": "Grants ledger, March 2019"}]
    text = "We received bids for the £100,000 fund. Projects cost a little over £100,000 in total."
    found = check_paragraph(
        text,
        section_rows=[],
        report_period=FY18.as_dict(),
        comparison_period=FY17.as_dict(),
        source_notes=notes,
    )
    first, second = [f for f in found if f.text == "£100,000"]
    assert first.status == "unsourced" and first.source_note == ""
    assert (second.status, second.source_note) == ("noted", "Grants ledger, March 2019")


def test_a_source_note_does_not_clear_a_disagreement():
    notes = [{"figure": "8,146", "occurrence": 1, "note": "Typed from memory"}]
    found = check_paragraph(
        "The force recorded an additional 8,146 crimes.", section_rows=[ALL_CRIME],
        report_period=FY18.as_dict(), comparison_period=FY17.as_dict(), source_notes=notes,
    )  # fmt: skip
    assert (found[0].status, found[0].source_note, found[0].flagged) == (
        "mismatch",
        "Typed from memory",
        True,
    )


def test_summary_line_counts_each_status_in_words():
    from reports.checker import Finding, summary_line

    def f(status):
        return Finding(paragraph="1", start=0, end=1, text="1", kind="count", status=status)

    findings = [f("match"), f("mismatch"), f("period"), f("period"), f("noted"), f("unsourced")]
    assert summary_line(findings) == (
        "6 figures: 1 agrees with the data, 1 disagrees, 2 name a period the report does not cover, "
        "1 has a source note, 1 unsourced"
    )


def test_an_alias_ties_a_figure_to_a_kpi_outside_the_sections_table():
    calls = row("1.1", "Number of 999 Calls", 138_893, 150_536)
    calls["kpi"]["aliases"] = ["emergency calls"]
    text = "The force answered 150,563 emergency calls."
    found = by_text(
        check_paragraph(
            text, section_rows=[ALL_CRIME], other_rows=[calls],
            report_period=FY18.as_dict(), comparison_period=FY17.as_dict(),
        )
    )  # fmt: skip
    assert (found["150,563"].status, found["150,563"].kpi_code) == ("mismatch", "1.1")
    calls["kpi"]["aliases"] = []
    found = by_text(
        check_paragraph(
            text, section_rows=[ALL_CRIME], other_rows=[calls],
            report_period=FY18.as_dict(), comparison_period=FY17.as_dict(),
        )
    )  # fmt: skip
    assert found["150,563"].status == "unsourced"  # without the alias nothing names the KPI
