"""Which test a row gets, its fallbacks, zero counts, and the note where SPC disagrees."""

import json

import pytest

from kpis.significance import count_change
from kpis.significance_result import NONE_IN_EITHER, significance_result, spc_note

LABELS = ("2017/18", "2018/19")


def period(value, *, months=12, present=None, source="months"):
    return {
        "value": None if value is None else f"{value}.0000",
        "months_expected": months,
        "months_present": months if present is None else present,
        "source": source,
    }


def result(previous_months, current_months, *, previous=None, current=None, **kwargs):
    previous = previous or period(sum(previous_months), months=len(previous_months))
    current = current or period(sum(current_months), months=len(current_months))
    out = significance_result(
        aggregation="sum",
        previous=previous,
        current=current,
        previous_months=previous_months,
        current_months=current_months,
        labels=LABELS,
        **kwargs,
    )
    assert json.loads(json.dumps(out)) == out
    return out


def test_a_quarter_falls_back_to_the_test_for_two_counts_and_says_why():
    sig = result([40, 52, 47], [70, 66, 73])  # 139 -> 209
    simple = count_change(previous=139, current=209, previous_length=3, current_length=3)
    assert sig["method"] == simple.method == "exact"
    assert sig["p_value"] == simple.p_value and sig["significant"] is True
    assert sig["ratio"] is None and sig["dispersion"] is None
    assert sig["fallback"] == (
        "With 3 months in 2017/18 there are too few monthly figures to estimate how much the months vary "
        "(the test needs at least 6 in each period), so this is the simpler test for two counts, which "
        "does not allow for how much the months normally vary."
    )
    assert sig["explanation"] == f"{simple.explanation} {sig['fallback']}"
    assert sig["dispersion_note"].startswith("No dispersion estimated: the counts are treated as Poisson")


def test_six_months_in_each_period_are_enough():
    assert result([40, 52, 47, 61, 38, 55], [70, 44, 66, 51, 73, 49])["method"] == "quasi-poisson"


def test_a_total_stated_for_the_period_falls_back():
    sig = result(
        None,
        [900] * 12,
        previous=period(10_000, present=0, source="stated"),
        current=period(10_800),
    )
    assert sig["method"] == "normal"
    assert sig["fallback"].startswith(
        "The figure for 2017/18 is stated for the period as a whole, with no monthly figures, so this is"
    )


def test_missing_months_fall_back():
    months = [900.0] * 11 + [None]
    sig = result(months, [900] * 12, previous=period(10_000, present=11, source="stated"))
    assert sig["fallback"].startswith("2017/18 does not have a figure for every month (11 of 12)")


def test_a_period_with_no_events_has_no_ratio_and_falls_back_without_crashing():
    sig = result([0] * 12, [3, 0, 2, 4, 1, 0, 2, 3, 1, 2, 0, 2])
    assert sig["method"] == "exact" and sig["ratio"] is None
    assert sig["significant"] is True  # 0 -> 20: 2 x 0.5^20, p < 0.001
    assert sig["fallback"].startswith("There were none in 2017/18, so there is no ratio of rates to give")
    assert sig["explanation"].startswith("The rise from 0 to 20 is larger than chance alone would explain")


def test_none_in_either_period_is_not_tested():
    sig = result([0] * 12, [0] * 12)
    assert sig["method"] == "not-tested" and sig["significant"] is None
    assert sig["explanation"] == NONE_IN_EITHER


def test_zero_months_inside_a_period_are_counted_as_zero_not_as_missing():
    sig = result([0, 2, 1, 0, 3, 0, 1, 2, 0, 1, 0, 2], [4, 0, 6, 2, 5, 3, 0, 7, 2, 4, 6, 3])
    assert sig["method"] == "quasi-poisson" and sig["significant"] is True
    assert sig["explanation"].startswith("A rise of 250% (95% interval")


COMMON = {"variation": "common", "reading": "Common-cause variation only.", "signals": []}
SHIFT_UP = {
    "variation": "special-neither",
    "reading": "Special cause: 9 months above the mean since July 2018.",
    "signals": [{"index": 15, "direction": "up", "rule": "shift"}],
}
FALLING = {
    "variation": "special-concern",
    "reading": "Special cause (concern): 6 months falling in a row since October 2018.",
    "signals": [{"index": 18, "direction": "down", "rule": "trend"}],
}


@pytest.mark.parametrize(
    ("spc", "significance", "start"),
    [
        (COMMON, {"method": "quasi-poisson", "significant": True}, "The test and the XmR chart disagree"),
        (SHIFT_UP, {"method": "quasi-poisson", "significant": False}, "The XmR chart and the test disagree"),
        (
            FALLING,
            {"method": "quasi-poisson", "significant": True, "previous": 100, "current": 150},
            "The test finds a rise between the two periods, but the XmR chart's latest signal is a fall",
        ),
    ],
)
def test_where_the_chart_and_the_test_disagree_the_note_says_so(spc, significance, start):
    assert spc_note(spc, significance).startswith(start)


def test_a_fallback_that_disagrees_with_the_chart_defers_to_the_chart():
    note = spc_note(COMMON, {"method": "normal", "significant": True})
    assert "does not allow for how much the months vary, and the chart does" in note


@pytest.mark.parametrize(
    ("spc", "significance"),
    [
        (COMMON, {"method": "quasi-poisson", "significant": False}),
        (SHIFT_UP, {"method": "quasi-poisson", "significant": True, "previous": 100, "current": 150}),
        (None, {"method": "quasi-poisson", "significant": True}),
        (SHIFT_UP, {"method": "not-tested", "significant": None}),
    ],
)
def test_agreement_or_nothing_to_compare_gives_no_note(spc, significance):
    assert spc_note(spc, significance) == ""
