"""Claims of significance in commentary against the test frozen with each KPI row."""

from decimal import Decimal

import pytest

from kpis.analysis import row_analysis
from kpis.comparison import compare_values
from kpis.periods import Period
from kpis.series import PeriodValue
from reports.checker import Finding, check_paragraph
from reports.significance_claims import AMBIGUOUS, UNATTRIBUTED, claim_findings

FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)

# Seasonal months, +5% a year: within the usual variation (see tests/kpis/test_quasi_poisson.py).
SEASONAL_PREVIOUS = [1000, 1150, 1200, 1180, 1050, 950, 900, 820, 800, 850, 950, 1150]
SEASONAL_CURRENT = [1060, 1210, 1250, 1230, 1100, 990, 950, 870, 840, 900, 1000, 1200]
# Steady months, +20%: bigger than the usual variation.
STEADY_PREVIOUS = [95, 108, 99, 104, 91, 103, 97, 110, 96, 101, 94, 102]
STEADY_CURRENT = [118, 127, 112, 121, 115, 129, 117, 124, 110, 122, 119, 126]


def row_with_test(code, name, previous, current, *, unit="count", aggregation="sum"):
    def pv(period, months):
        return PeriodValue(period, Decimal(sum(months)), 12, 12, "months")

    comparison = compare_values(pv(FY18, current), pv(FY17, previous), unit=unit, decimals=0).as_dict()
    trend = {
        "months": [m.isoformat() for m in FY18.months()],
        "previous_months": [m.isoformat() for m in FY17.months()],
        "previous": {"label": "2017/18", "values": [float(v) for v in previous]},
        "current": {"label": "2018/19", "values": [float(v) for v in current]},
    }
    kpi = {"code": code, "name": name, "unit": unit, "aggregation": aggregation, "good_direction": "neither"}
    return {
        "kpi": kpi,
        "comparison": comparison,
        "analysis": row_analysis(kpi=kpi, trend=trend, comparison=comparison),
    }


CALLS = row_with_test("1.1", "Number of 999 Calls", SEASONAL_PREVIOUS, SEASONAL_CURRENT)  # +5%, (ns)
SEARCHES = row_with_test("5.1", "Number of Stop and Searches", STEADY_PREVIOUS, STEADY_CURRENT)  # +20%, (s)
RATE = row_with_test(
    "3.2", "Crimes per 1,000 population", STEADY_PREVIOUS, STEADY_CURRENT, aggregation="mean"
)
ROWS = [CALLS, SEARCHES]


def claims(text, rows=ROWS):
    return [(f["text"], f["status"], f["kpi_code"]) for f in claim_findings(text, section_rows=rows)]


def test_the_rows_carry_the_verdicts_the_claims_are_checked_against():
    assert CALLS["analysis"]["significance"]["significant"] is False
    assert SEARCHES["analysis"]["significance"]["significant"] is True
    assert RATE["analysis"]["significance"]["significant"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stop and searches saw a significant increase.", [("significant increase", "match", "5.1")]),
        ("999 calls rose significantly this year.", [("significantly", "mismatch", "1.1")]),
        (
            "There was no significant change in 999 calls.",
            [("no significant change", "match", "1.1")],
        ),
        (
            "The rise in stop and searches was not statistically significant.",
            [("not statistically significant", "mismatch", "5.1")],
        ),
        (
            "999 calls: the change is statistically significant.",
            [("statistically significant", "mismatch", "1.1")],
        ),
        ("The 999 calls change was non-significant.", [("non-significant", "match", "1.1")]),
        (
            "The 999 calls total was statistically insignificant.",
            [("statistically insignificant", "match", "1.1")],
        ),
        # Everyday uses of the word are not claims about a change.
        ("Common assault makes up a significant proportion of 999 calls.", []),
        ("Three groups were significantly disrupted by stop and searches.", []),
        ("999 calls were an insignificant part of the work.", []),
    ],
)
def test_claims_are_found_tied_to_a_row_and_judged(text, expected):
    assert claims(text) == expected


def test_a_claim_is_tied_by_the_figures_of_the_sentence_before():
    current = sum(STEADY_CURRENT)  # 1,440
    text = f"Officers carried out {current:,} in 2018/19. This is a significant rise."
    assert claims(text) == [("significant rise", "match", "5.1")]


def test_a_claim_the_checker_cannot_place_is_unchecked_not_guessed():
    [finding] = claim_findings("Satisfaction saw no significant change.", section_rows=ROWS)
    assert (finding["status"], finding["kpi_code"], finding["message"]) == ("unchecked", "", UNATTRIBUTED)
    twins = [CALLS, row_with_test("1.2", "Number of 101 Calls", SEASONAL_PREVIOUS, SEASONAL_CURRENT)]
    [finding] = claim_findings("Calls saw no significant change.", section_rows=twins)
    assert finding["message"] == AMBIGUOUS.format(codes="1.1 or 1.2")


def test_a_claim_about_a_rate_says_it_is_not_tested():
    [finding] = claim_findings("Crimes per 1,000 population rose significantly.", section_rows=[RATE])
    assert finding["status"] == "unchecked" and finding["kpi_code"] == "3.2"
    assert finding["message"].startswith("3.2 is not tested for significance: this figure is a rate")


def test_a_claim_in_the_wrong_direction_is_a_disagreement():
    [finding] = claim_findings("Stop and searches saw a significant fall.", section_rows=ROWS)
    assert finding["status"] == "mismatch"
    assert finding["message"].startswith("The text describes a fall, but the table shows a rise.")


def test_a_section_without_rows_has_nothing_to_check_a_claim_against():
    assert claim_findings("There were significant changes to policing.", section_rows=[]) == []


def test_a_disagreement_explains_itself_in_words():
    [finding] = claim_findings("999 calls rose significantly.", section_rows=ROWS)
    assert finding["data_value"] == "a change within the usual variation"
    assert finding["message"] == (
        "The text calls this change significant, but the significance test finds it within the usual "
        "variation. A rise of 5% (95% interval -7% to +18%): within the usual month-to-month variation of "
        "2017/18 and 2018/19."
    )


def test_a_schema_1_snapshot_is_judged_by_its_own_test():
    old = {
        "kpi": {"code": "1.1", "name": "Number of 999 Calls", "unit": "count"},
        "comparison": CALLS["comparison"],
        "analysis": {
            "significance": {
                "previous": 12_000, "current": 12_600, "method": "normal", "z": 3.8255, "p_value": 0.0001,
                "level": 0.05, "significant": True,
                "explanation": "The rise from 12,000 to 12,600 is larger than chance alone would explain.",
            }
        },
    }  # fmt: skip
    [finding] = claim_findings("999 calls rose significantly.", section_rows=[old])
    assert finding["status"] == "match"
    assert finding["data_value"] == "a change larger than chance alone would explain"


def test_the_checker_reports_claims_with_its_other_findings():
    findings = check_paragraph(
        "999 calls rose by 600 (+5%), a significant increase.",
        section_rows=ROWS,
        report_period=FY18.as_dict(),
        comparison_period=FY17.as_dict(),
        number="1.1",
    )
    assert all(isinstance(f, Finding) for f in findings)
    claim = next(f for f in findings if f.kind == "significance")
    assert (claim.paragraph, claim.text, claim.status, claim.kpi_code) == (
        "1.1",
        "significant increase",
        "mismatch",
        "1.1",
    )
    assert claim.flagged
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert {f.text: f.status for f in findings if f.kind != "significance"} == {
        "600": "match",
        "+5%": "match",
    }
