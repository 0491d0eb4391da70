"""The quasi-Poisson comparison of two periods' monthly counts, against statsmodels' GLM.

statsmodels is a test-only dependency: an independent implementation of the same model
(a Poisson GLM with the period as its only factor, scale estimated by Pearson's chi-square,
t-based intervals and p-values on the residual degrees of freedom).
"""

import math

import pytest

from kpis import quasi_poisson
from kpis.quasi_poisson import explain, rate_change
from kpis.significance import count_change

sm = pytest.importorskip("statsmodels.api")


def glm(previous, current, *, scale="X2"):
    """statsmodels' fit: (ratio, (low, high), p, scale) for the period effect."""
    y = list(previous) + list(current)
    x = [[1.0, 0.0]] * len(previous) + [[1.0, 1.0]] * len(current)
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(scale=scale, use_t=True)
    low, high = fit.conf_int(alpha=0.05)[1]
    return math.exp(fit.params[1]), (math.exp(low), math.exp(high)), float(fit.pvalues[1]), fit.scale


def assert_matches_glm(result, previous, current, *, scale="X2"):
    ratio, (low, high), p, fitted_scale = glm(previous, current, scale=scale)
    assert result.ratio == pytest.approx(ratio, rel=1e-6)
    assert result.low == pytest.approx(low, rel=1e-6)
    assert result.high == pytest.approx(high, rel=1e-6)
    assert result.p_value == pytest.approx(p, rel=1e-4, abs=1e-12)  # IRLS stops at 1e-8
    assert result.dispersion == pytest.approx(fitted_scale, rel=1e-6)


# Twelve months each. Seasonal swings of +/- 200 around 1,000 a month: far more than the
# +/- 32 (sqrt(1,000)) Poisson counts would show.
SEASONAL_PREVIOUS = [1000, 1150, 1200, 1180, 1050, 950, 900, 820, 800, 850, 950, 1150]
SEASONAL_CURRENT = [1060, 1210, 1250, 1230, 1100, 990, 950, 870, 840, 900, 1000, 1200]


def test_over_dispersed_series_are_no_longer_significant():
    # 12,000 -> 12,600 (+5%): the Poisson test calls it significant, z = 600 / sqrt(24,600) = 3.83.
    assert sum(SEASONAL_PREVIOUS) == 12_000 and sum(SEASONAL_CURRENT) == 12_600
    poisson = count_change(previous=12_000, current=12_600)
    assert poisson.significant and poisson.z == pytest.approx(3.8255, abs=1e-4)

    result = rate_change(previous=SEASONAL_PREVIOUS, current=SEASONAL_CURRENT)
    assert_matches_glm(result, SEASONAL_PREVIOUS, SEASONAL_CURRENT)
    assert result.pearson_dispersion > 20  # the months vary over 20 times as much as Poisson
    assert result.df == 22
    assert not result.significant
    assert result.low < 1 < result.high
    assert explain(result, previous_label="2017/18", current_label="2018/19") == (
        "A rise of 5% (95% interval -7% to +18%): within the usual month-to-month variation of "
        "2017/18 and 2018/19."
    )


# About 100 and 120 a month, each month within a Poisson-sized wobble of its mean.
POISSON_PREVIOUS = [95, 108, 99, 104, 91, 103, 97, 110, 96, 101, 94, 102]
POISSON_CURRENT = [118, 127, 112, 121, 115, 129, 117, 124, 110, 122, 119, 126]


def test_poisson_like_series_keep_their_verdict():
    previous_total, current_total = sum(POISSON_PREVIOUS), sum(POISSON_CURRENT)
    poisson = count_change(previous=previous_total, current=current_total)
    result = rate_change(previous=POISSON_PREVIOUS, current=POISSON_CURRENT)
    # The months vary less than Poisson counts would: the dispersion is floored at 1, which is
    # statsmodels' fit with the scale fixed at 1 (t on 22 degrees of freedom all the same).
    assert result.pearson_dispersion < 1 and result.dispersion == 1.0
    _, _, _, estimated = glm(POISSON_PREVIOUS, POISSON_CURRENT)
    assert result.pearson_dispersion == pytest.approx(estimated, rel=1e-9)
    assert_matches_glm(result, POISSON_PREVIOUS, POISSON_CURRENT, scale=1.0)
    assert poisson.significant and result.significant
    assert explain(result, previous_label="2017/18", current_label="2018/19") == (
        "A rise of 20% (95% interval +11% to +30%): bigger than the month-to-month variation of "
        "2017/18 and 2018/19 would explain."
    )


def test_a_poisson_like_series_with_no_real_change_stays_within_chance():
    current = [101, 96, 104, 99, 93, 108, 100, 97, 105, 98, 95, 103]
    poisson = count_change(previous=sum(POISSON_PREVIOUS), current=sum(current))
    result = rate_change(previous=POISSON_PREVIOUS, current=current)
    assert_matches_glm(result, POISSON_PREVIOUS, current, scale=1.0)
    assert not poisson.significant and not result.significant


def test_a_quarter_against_six_months_and_unequal_lengths_compare_rates_per_month():
    previous = [40, 52, 47, 61, 38, 55]  # 6 months: 293, 48.83 a month
    current = [70, 44, 66, 51, 73, 49, 58, 62]  # 8 months: 473, 59.13 a month
    result = rate_change(previous=previous, current=current)
    assert result.ratio == pytest.approx((473 / 8) / (293 / 6))
    assert result.df == 12
    assert_matches_glm(result, previous, current)


def test_months_with_no_events_are_fine_but_a_period_with_none_has_no_ratio():
    previous = [0, 2, 1, 0, 3, 0, 1, 2, 0, 1, 0, 2]
    current = [4, 0, 6, 2, 5, 3, 0, 7, 2, 4, 6, 3]
    result = rate_change(previous=previous, current=current)
    assert_matches_glm(result, previous, current)
    with pytest.raises(ValueError, match="previous period has no events at all"):
        rate_change(previous=[0] * 12, current=current)
    with pytest.raises(ValueError, match="current period has no events at all"):
        rate_change(previous=previous, current=[0] * 12)


@pytest.mark.parametrize(
    ("previous", "current", "message"),
    [
        ([10] * 5, [10] * 12, "at least 6 monthly figures in each period, got 5 and 12"),
        ([10] * 12, [10] * 11 + [None], "month 12 of the current period has none"),
        ([10] * 11 + [-1], [10] * 12, "Month 12 of the previous period is negative"),
        ([10.5] + [10] * 11, [10] * 12, "Month 1 of the previous period is 10.5, not a whole number"),
    ],
)
def test_bad_months_are_refused_with_a_message_saying_where(previous, current, message):
    with pytest.raises(ValueError, match=message):
        rate_change(previous=previous, current=current)


def test_by_hand_for_a_tiny_example():
    # Previous 10, 20, 10, 20, 10, 20 (mean 15), current 30 a month: ratio 2.
    # Pearson chi-square: 6 x 25 / 15 = 10 (current months sit on their mean); df = 10: phi = 1.
    # se = sqrt(1 / 90 + 1 / 180) = 0.1291; t(0.975, 10) = 2.2281.
    result = rate_change(previous=[10, 20] * 3, current=[30] * 6)
    assert result.ratio == 2.0
    assert result.pearson_dispersion == pytest.approx(1.0)
    se = math.sqrt(1 / 90 + 1 / 180)
    assert result.low == pytest.approx(2 * math.exp(-2.228139 * se), rel=1e-6)
    assert result.t == pytest.approx(math.log(2) / se)


def test_percentages_read_to_whole_numbers_unless_that_hides_the_interval():
    assert quasi_poisson.percent(1.0838) == "+8%"
    assert quasi_poisson.percent(0.7639) == "-24%"
    assert quasi_poisson.percent(1.0048, 1) == "+0.5%"
