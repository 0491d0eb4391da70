"""XmR limits and special-cause rules against worked examples computed by hand."""

from datetime import date

import pytest

from kpis.periods import add_months
from kpis.spc import COMMON_CAUSE, TOO_FEW_POINTS, xmr, xmr_from_trend

MONTHS_24 = [add_months(date(2017, 4, 1), i) for i in range(24)]  # Apr 2017 .. Mar 2019


def rules(result):
    return {(s.index, s.rule, s.direction) for s in result.signals}


def test_limits_of_a_common_cause_series_match_the_hand_calculation():
    values = [10, 12, 11, 13, 12, 10, 11, 12, 13, 11, 12, 11]
    # sum = 138, n = 12: mean = 11.5
    # moving ranges: 2,1,2,1,2,1,1,1,2,1,1 -> sum 15 over 11 ranges: MR-bar = 1.363636…
    # 2.66 x 1.363636 = 3.627273: upper = 15.127273, lower = 7.872727
    # outer third (2 sigma) starts at 11.5 ± 2/3 x 3.627273 = 13.918 / 9.082: no point there;
    # sides of the mean: b a b a a b b a a b a b: no run of 7; no 6 rising or falling.
    result = xmr(values)
    assert result.mean == pytest.approx(11.5)
    assert result.average_moving_range == pytest.approx(15 / 11)
    assert result.upper == pytest.approx(15.127273, abs=1e-6)
    assert result.lower == pytest.approx(7.872727, abs=1e-6)
    assert result.signals == []
    assert result.reading == COMMON_CAUSE
    assert result.variation == "common"


def test_a_point_above_the_upper_limit_is_a_special_cause():
    values = [10, 12] * 5 + [10, 20]
    # sum = 5 x 22 + 10 + 20 = 140: mean = 11.666667
    # moving ranges: ten of 2 and one of 10 = 30 over 11: MR-bar = 2.727273
    # upper = 11.666667 + 2.66 x 2.727273 = 11.666667 + 7.254545 = 18.921212 < 20
    result = xmr(values, months=MONTHS_24[12:], good_direction="up")
    assert result.upper == pytest.approx(18.921212, abs=1e-6)
    assert result.lower == pytest.approx(4.412121, abs=1e-6)
    assert rules(result) == {(11, "beyond_limit", "up")}
    assert result.variation == "special-improvement"
    assert result.reading == "Special cause (improvement): March 2019 is above the upper process limit."


def test_a_run_of_seven_above_the_mean_is_a_shift_named_from_its_first_month():
    values = [10, 12] * 8 + [10] + [13, 14, 13, 14, 13, 14, 13]
    # sum = 9 x 10 + 8 x 12 + (4 x 13 + 3 x 14) = 90 + 96 + 94 = 280 over 24: mean = 11.666667
    # moving ranges: sixteen of 2 (=32), |13 - 10| = 3, six of 1 (=6): 41 over 23 = 1.782609
    # upper = 11.666667 + 2.66 x 1.782609 = 16.408406; lower = 6.924928 (no point beyond)
    # outer third from 11.666667 + 3.161063 = 14.827729: 14 is below it, so no two-of-three.
    # Points 17..23 (Sep 2018 .. Mar 2019) are all above 11.67: a run of 7.
    result = xmr(values, months=MONTHS_24, good_direction="neither")
    assert result.mean == pytest.approx(280 / 24)
    assert result.average_moving_range == pytest.approx(41 / 23)
    assert result.upper == pytest.approx(16.408406, abs=1e-6)
    assert rules(result) == {(i, "shift", "up") for i in range(17, 24)}
    assert result.reading == "Special cause: 7 months above the mean since September 2018."
    assert result.variation == "special-neither"


def test_a_shift_in_the_bad_direction_is_a_concern():
    values = [10, 12] * 8 + [10] + [13, 14, 13, 14, 13, 14, 13]
    result = xmr(values, months=MONTHS_24, good_direction="down")
    assert result.variation == "special-concern"
    assert result.reading.startswith("Special cause (concern): 7 months above the mean")


def test_six_points_in_a_row_below_the_mean_are_not_a_shift():
    values = [12, 10, 12, 10, 12, 12] + [9, 8, 9, 8, 9, 8] + [12, 10] * 3
    # mean = (68 + 51 + 66) / 18 = 10.277778; the 12 before and after the six 9s and 8s are
    # above it, so the run below the mean is exactly 6 long: not a shift.
    result = xmr(values)
    assert not any(s.rule == "shift" for s in result.signals)


def test_six_rising_points_are_a_trend_and_five_are_not():
    values = [6, 4, 6, 4, 6, 1, 2, 3, 4, 5, 6, 4]
    # mean = 51 / 12 = 4.25; moving ranges 2,2,2,2,5,1,1,1,1,1,2 = 20 / 11 = 1.818182
    # upper = 4.25 + 4.836364 = 9.086364, lower = -0.586364 (nothing beyond)
    # outer third below 4.25 - 3.224242 = 1.025758: only the 1, so no two-of-three
    # points 5..10 = 1,2,3,4,5,6: six points, five rises: a trend up.
    result = xmr(values)
    assert result.mean == pytest.approx(4.25)
    assert result.lower == pytest.approx(-0.586364, abs=1e-6)
    assert rules(result) == {(i, "trend", "up") for i in range(5, 11)}
    assert result.reading == "Special cause: 6 months rising in a row."

    five = [6, 4, 6, 4, 6, 1, 2, 3, 4, 5, 4, 6]
    assert not any(s.rule == "trend" for s in xmr(five).signals)


def test_an_equal_pair_ends_a_trend():
    values = [6, 4, 6, 4, 6, 1, 2, 3, 3, 4, 5, 4]
    assert not any(s.rule == "trend" for s in xmr(values).signals)


def test_two_of_three_points_in_the_outer_third_are_a_special_cause():
    values = [10, 12] * 9 + [18, 11, 18, 12, 11, 12]
    # sum = 9 x 22 + 82 = 280 over 24: mean = 11.666667
    # moving ranges: seventeen of 2 (=34) then 6, 7, 7, 6, 1, 1 (=28): 62 / 23 = 2.695652
    # upper = 11.666667 + 7.170435 = 18.837101: 18 is inside the limits
    # outer third above 11.666667 + 2/3 x 7.170435 = 16.446957: points 18 and 20 (both 18)
    result = xmr(values, months=MONTHS_24)
    assert result.upper == pytest.approx(18.837101, abs=1e-6)
    assert rules(result) == {(18, "two_of_three", "up"), (20, "two_of_three", "up")}
    assert result.reading == (
        "Special cause: 2 of 3 months close to the upper process limit, latest December 2018."
    )


def test_gaps_are_skipped_and_no_moving_range_spans_a_gap():
    values = [10, 12, None, 30, 32, 10, 12, 11, 13, 12, 10, 11]
    # present: 10,12,30,32,10,12,11,13,12,10,11 (11 points, sum 163): mean = 14.818182
    # moving ranges only between neighbours: |12-10| = 2, then (gap) |32-30| = 2, 22, 2, 1, 2, 1, 2, 1
    # = 35 over 9 = 3.888889 (the 12 -> 30 jump across the gap is not a moving range)
    result = xmr(values)
    assert result.points == 11
    assert result.mean == pytest.approx(163 / 11)
    assert result.average_moving_range == pytest.approx(35 / 9)
    assert all(s.index != 2 for s in result.signals)


def test_fewer_than_two_neighbouring_points_cannot_make_a_chart():
    with pytest.raises(ValueError, match=TOO_FEW_POINTS):
        xmr([5, None, 6, None])
    with pytest.raises(ValueError, match=TOO_FEW_POINTS):
        xmr([])


def test_the_reading_names_the_latest_pattern():
    values = [10, 12] * 5 + [10, 20] + [12, 10] * 8 + [13, 14, 13, 14, 13, 14, 13]
    result = xmr(values)
    assert result.reading.startswith("Special cause: 7 months above the mean")
    assert result.reading == "Special cause: 7 months above the mean."  # the spike before is on the chart


def test_xmr_from_trend_reads_the_previous_year_first():
    trend = {
        "months": [m.isoformat() for m in MONTHS_24[12:]],
        "previous": {"values": [12.0, 10.0] * 6},
        "current": {"values": [12.0, 10.0] * 3 + [13.0, 14.0, 13.0, 14.0, 13.0, 14.0]},
    }
    result = xmr_from_trend(trend, good_direction="up")
    # Only the last 6 months (13s and 14s) are above the mean of 11.5: not yet a shift.
    assert not any(s.rule == "shift" for s in result.signals)
    trend["current"]["values"][4:6] = [10.0, 13.0]  # Sep 2018 joins the run: 7 above the mean
    result = xmr_from_trend(trend, good_direction="up")
    assert {s.index for s in result.signals if s.rule == "shift"} == set(range(17, 24))
    assert result.reading == "Special cause (improvement): 7 months above the mean since September 2018."


def test_a_comparison_a_year_earlier_is_not_read_as_the_months_just_before():
    from kpis.spc import trend_months

    # Apr-Sep 2019 against Apr-Sep 2018: Oct 2018 - Mar 2019 are not in the trend.
    trend = {
        "months": [f"2019-{m:02d}-01" for m in range(4, 10)],
        "previous_months": [f"2018-{m:02d}-01" for m in range(4, 10)],
        "previous": {"values": [10.0] * 6},
        "current": {"values": [11.0] * 6},
    }
    values, months = trend_months(trend)
    assert months[:6] == trend["previous_months"] and months[7:] == trend["months"]
    assert values[6] is None and months[6] is None  # no moving range across the gap
    result = xmr(values, months=months)
    assert result.average_moving_range == 0.0  # the 10 -> 11 step across the gap is not a range


def test_neighbouring_months_beyond_a_limit_are_read_as_one_episode():
    values = [10, 12] * 10 + [10] + [30, 30, 30]
    # sum = 11 x 10 + 10 x 12 + 3 x 30 = 320 over 24: mean = 13.333333
    # moving ranges: twenty of 2 (=40), |30 - 10| = 20, 0, 0: 60 / 23 = 2.608696
    # upper = 13.333333 + 2.66 x 2.608696 = 20.272464: the three 30s (Jan-Mar 2019) are beyond it,
    # and also in the outer third (two-of-three); the stronger rule names the reading.
    result = xmr(values, months=MONTHS_24, good_direction="down")
    assert result.upper == pytest.approx(20.272464, abs=1e-6)
    assert {(s.index, s.rule) for s in result.signals if s.rule == "beyond_limit"} == {
        (21, "beyond_limit"),
        (22, "beyond_limit"),
        (23, "beyond_limit"),
    }
    assert result.reading == (
        "Special cause (concern): 3 months above the upper process limit since January 2019."
    )
