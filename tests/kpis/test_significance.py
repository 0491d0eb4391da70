"""The two-Poisson-counts test against values worked out by hand."""

import math

import pytest

from kpis.significance import NEGATIVE_COUNT, NOT_WHOLE, count_change, exact_p_value, format_p


def test_the_999_calls_rise_is_larger_than_chance():
    # n = 138,893 + 150,536 = 289,429; sqrt(289,429) = 537.986 (538^2 = 289,444)
    # z = 11,643 / 537.986 = 21.642: p is far below 0.001
    result = count_change(previous=138_893, current=150_536)
    assert result.method == "normal"
    assert result.z == pytest.approx(11_643 / math.sqrt(289_429))
    assert result.z == pytest.approx(21.642, abs=1e-3)
    assert result.p_value < 1e-6
    assert result.significant
    assert result.explanation == (
        "The rise from 138,893 to 150,536 is larger than chance alone would explain (p < 0.001)."
    )


def test_a_small_rise_in_large_counts_is_within_chance():
    # 1,000 -> 1,050: z = 50 / sqrt(2,050) = 50 / 45.2769 = 1.10432
    # Phi(1.10432) = 0.86526 (tables: 0.86433 at 1.10, 0.86650 at 1.11), p = 2 x 0.13474 = 0.2695
    result = count_change(previous=1000, current=1050)
    assert result.z == pytest.approx(1.10432, abs=1e-5)
    assert result.p_value == pytest.approx(0.2695, abs=5e-4)
    assert not result.significant
    assert result.explanation == (
        "The rise from 1,000 to 1,050 is within what chance alone could explain (p = 0.27)."
    )


def test_the_level_is_five_percent_two_sided():
    # 1,000 -> 1,090: z = 90 / 45.7165 = 1.9687, p = 2 x (1 - 0.97551) = 0.0490 -> significant
    # 1,000 -> 1,089: z = 89 / 45.7056 = 1.9473, p = 2 x (1 - 0.97424) = 0.0515 -> not
    assert count_change(previous=1000, current=1090).p_value == pytest.approx(0.0490, abs=2e-4)
    assert count_change(previous=1000, current=1090).significant
    assert count_change(previous=1000, current=1089).p_value == pytest.approx(0.0515, abs=2e-4)
    assert not count_change(previous=1000, current=1089).significant
    # and a fall is the mirror image of a rise
    fall = count_change(previous=1090, current=1000)
    assert fall.significant and fall.z < 0
    assert fall.explanation.startswith("The fall from 1,090 to 1,000 is larger than chance")


def test_small_counts_use_the_exact_binomial_test():
    # 10 -> 2: n = 12, P(k) = C(12, k) / 4096; P(2) = 66/4096.
    # Outcomes no more likely: k = 0, 1, 2, 10, 11, 12 -> 2 x (1 + 12 + 66) / 4096 = 158/4096
    result = count_change(previous=10, current=2)
    assert result.method == "exact"
    assert result.p_value == pytest.approx(158 / 4096)  # 0.0386
    assert result.significant
    assert result.explanation == "The fall from 10 to 2 is larger than chance alone would explain (p = 0.04)."
    # The normal approximation would say z = -8 / sqrt(12) = -2.309, p = 0.021: the exact test
    # is more cautious with so few events.
    assert result.p_value > math.erfc(8 / math.sqrt(12) / math.sqrt(2))


def test_exact_p_values_by_hand():
    # 5 -> 1: n = 6, P(1) = 6/64; no more likely: k = 0, 1, 5, 6 -> 14/64
    assert exact_p_value(previous=5, current=1) == pytest.approx(14 / 64)
    # 4 -> 0: n = 4, P(0) = 1/16; k = 0 and 4 -> 2/16
    assert exact_p_value(previous=4, current=0) == pytest.approx(2 / 16)
    # 7 -> 7: the most likely outcome, p = 1
    assert exact_p_value(previous=7, current=7) == pytest.approx(1.0)
    assert not count_change(previous=5, current=1).significant


def test_periods_of_different_lengths_change_the_expected_share():
    # 3 months against 1: under no change the current period holds 3/4 of the events.
    # previous = 3, current = 0 (n = 3): P(0) = (1/4)^3 = 1/64; P(1) = 9/64, P(2) = P(3) = 27/64,
    # so only k = 0 is as unlikely: p = 1/64 = 0.0156
    result = count_change(previous=3, current=0, previous_length=1, current_length=3)
    assert result.p_value == pytest.approx(1 / 64)
    assert result.significant
    # With equal periods the same counts are not significant: 2 x 1/8 = 0.25
    assert count_change(previous=3, current=0).p_value == pytest.approx(0.25)


def test_no_change_and_no_events():
    assert count_change(previous=0, current=0).explanation == "There is no change (0 in both periods)."
    same = count_change(previous=153, current=153)
    assert not same.significant and same.p_value == pytest.approx(1.0)
    assert same.explanation == "There is no change (153 in both periods)."


def test_prevent_referrals_fall_is_noise():
    # 161 -> 153, n = 314 (exact test). Normal check: z = -8 / 17.72 = -0.451, p = 0.65;
    # with the continuity correction (7 / 17.72 = 0.395) p = 0.69: the exact value lies near.
    result = count_change(previous=161, current=153)
    assert result.method == "exact"
    assert 0.6 < result.p_value < 0.75
    assert result.z == pytest.approx(-8 / math.sqrt(314))
    assert result.explanation.startswith("The fall from 161 to 153 is within what chance alone could explain")


@pytest.mark.parametrize(
    ("previous", "current", "message"),
    [(-1, 5, NEGATIVE_COUNT), (5, -1, NEGATIVE_COUNT), (10.5, 3, NOT_WHOLE), ("3.2", 3, NOT_WHOLE)],
)
def test_bad_counts_are_refused(previous, current, message):
    with pytest.raises(ValueError, match=message):
        count_change(previous=previous, current=current)


def test_text_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        count_change(previous="many", current=3)


def test_decimal_strings_from_a_snapshot_are_accepted():
    assert count_change(previous="2032.0000", current="3716.0000").current == 3716


@pytest.mark.parametrize(
    ("p", "text"), [(0.0004, "p < 0.001"), (0.0042, "p = 0.004"), (0.0386, "p = 0.04"), (0.652, "p = 0.65")]
)
def test_p_values_are_written_plainly(p, text):
    assert format_p(p) == text
