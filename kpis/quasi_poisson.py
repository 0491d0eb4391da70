"""Is a change in a count bigger than the month-to-month variation would explain?

Real counts (calls, crimes, searches) vary from month to month far more than Poisson counts
do: seasons, recording changes and one-off events all add to the chance variation. A test
that treats a year's total as one Poisson count calls almost every change in a large count
"significant". This test estimates the variation from the monthly figures themselves.

The model is a quasi-Poisson regression with the period as its only factor: month i of
period k has mean mu_k and variance phi * mu_k. Its fit is simple enough to write down:

- mu_k is the period's mean month, so the ratio of rates is (C_cur / n_cur) / (C_prev / n_prev)
  (C = the period's total, n = its number of months); b = log(ratio);
- the Poisson standard error of b is sqrt(1 / C_prev + 1 / C_cur);
- the dispersion phi is the Pearson chi-square of the months about their period's mean,
  sum((y - mu_k)^2 / mu_k), over its degrees of freedom n_prev + n_cur - 2. It is never
  taken below 1: months that vary less than Poisson counts would do not make a change more
  certain than the Poisson test says;
- the 95% interval is exp(b -/+ t * sqrt(phi) * se), with t the 97.5% point of Student's t
  on those degrees of freedom, and the p-value is two-sided from the same t distribution.

This is what a generalised linear model with a Poisson family and the Pearson scale gives
(statsmodels: `GLM(y, X, family=Poisson()).fit(scale="X2", use_t=True)`), apart from the floor.
The test needs at least MIN_MONTHS monthly figures in each period and a count above zero in
both; kpis.analysis falls back to kpis.significance's test for two counts otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from .formatting import format_percent_change
from .significance import LEVEL

MIN_MONTHS = 6

TOO_FEW_MONTHS = (
    "The test needs at least {minimum} monthly figures in each period, got {previous} and {current}."
)
MISSING_MONTH = "Every month needs a figure: month {index} of the {which} period has none."
NEGATIVE_MONTH = "Month {index} of the {which} period is negative ({value}); counts cannot be negative."
FRACTIONAL_MONTH = "Month {index} of the {which} period is {value}, not a whole number of events."
ZERO_PERIOD = "The {which} period has no events at all, so there is no ratio of rates."


@dataclass(frozen=True)
class RateChange:
    """The quasi-Poisson comparison of two periods' monthly counts."""

    previous_total: int
    current_total: int
    previous_months: int
    current_months: int
    ratio: float  # current rate per month / previous rate per month
    low: float  # 95% interval of the ratio (for the default level)
    high: float
    pearson_dispersion: float  # Pearson chi-square / df, as estimated
    dispersion: float  # the one used: never below 1
    df: int
    t: float
    p_value: float
    level: float

    @property
    def significant(self) -> bool:
        return self.p_value < self.level


def _whole_months(values, which: str) -> list[int]:
    out = []
    for index, value in enumerate(values, start=1):
        if value is None:
            raise ValueError(MISSING_MONTH.format(index=index, which=which))
        number = float(value)
        if number < 0:
            raise ValueError(NEGATIVE_MONTH.format(index=index, which=which, value=value))
        if number != int(number):
            raise ValueError(FRACTIONAL_MONTH.format(index=index, which=which, value=value))
        out.append(int(number))
    return out


def pearson_chi_square(months: list[int]) -> float:
    """Sum of (y - mean)^2 / mean over the months of one period (0 for a period of zeros)."""
    mean = sum(months) / len(months)
    if mean == 0:
        return 0.0
    return sum((y - mean) ** 2 for y in months) / mean


def rate_change(*, previous, current, level: float = LEVEL) -> RateChange:
    """Compare the monthly counts of two periods (lists, month order, no gaps).

    Raises ValueError with a message saying what is wrong: too few months, a month without
    a figure, a negative or fractional count, or a period with no events at all.
    """
    from scipy.stats import t as student_t

    prev = _whole_months(previous, "previous")
    cur = _whole_months(current, "current")
    if len(prev) < MIN_MONTHS or len(cur) < MIN_MONTHS:
        raise ValueError(TOO_FEW_MONTHS.format(minimum=MIN_MONTHS, previous=len(prev), current=len(cur)))
    for months, which in ((prev, "previous"), (cur, "current")):
        if sum(months) == 0:
            raise ValueError(ZERO_PERIOD.format(which=which))
    c_prev, c_cur = sum(prev), sum(cur)
    ratio = (c_cur / len(cur)) / (c_prev / len(prev))
    log_ratio = math.log(ratio)
    df = len(prev) + len(cur) - 2
    pearson = (pearson_chi_square(prev) + pearson_chi_square(cur)) / df
    dispersion = max(1.0, pearson)
    se = math.sqrt(dispersion * (1 / c_prev + 1 / c_cur))
    quantile = float(student_t.ppf(1 - level / 2, df))
    statistic = log_ratio / se
    p_value = float(2 * student_t.sf(abs(statistic), df))
    return RateChange(
        previous_total=c_prev,
        current_total=c_cur,
        previous_months=len(prev),
        current_months=len(cur),
        ratio=ratio,
        low=math.exp(log_ratio - quantile * se),
        high=math.exp(log_ratio + quantile * se),
        pearson_dispersion=pearson,
        dispersion=dispersion,
        df=df,
        t=statistic,
        p_value=min(1.0, p_value),
        level=level,
    )


def _decimals(*ratios: float, width: float = 100.0) -> int:
    """Whole per cents, unless the interval is too narrow or a figure would round to 0%."""
    near_zero = min(abs(ratio - 1) for ratio in ratios) * 100 < 0.5
    return 1 if width * 100 < 2 or near_zero else 0


def percent(ratio: float, decimals: int = 0) -> str:
    """A ratio of rates as a signed % change: 1.083 -> '+8%', 0.76 -> '-24%'."""
    return format_percent_change(Decimal(repr((ratio - 1) * 100)), decimals)


def change_words(result: RateChange) -> str:
    """'A rise of 8% (95% interval +3% to +13%)'."""
    size = percent(result.ratio, _decimals(result.ratio)).lstrip("+-")
    decimals = _decimals(result.low, result.high, width=result.high - result.low)
    interval = f"{100 * (1 - result.level):g}% interval {percent(result.low, decimals)} to " + percent(
        result.high, decimals
    )
    if size.strip("0.%") == "":
        return f"No change in the monthly rate ({interval})"
    way = "rise" if result.ratio > 1 else "fall"
    return f"A {way} of {size} ({interval})"


def explain(result: RateChange, *, previous_label: str = "", current_label: str = "") -> str:
    """The verdict in plain words, naming the periods when their labels are given."""
    periods = (
        f"{previous_label} and {current_label}" if previous_label and current_label else "the two periods"
    )
    if result.significant:
        return f"{change_words(result)}: bigger than the month-to-month variation of {periods} would explain."
    return f"{change_words(result)}: within the usual month-to-month variation of {periods}."


def describe_dispersion(result: RateChange) -> str:
    """For reviewers: the dispersion used, and what it does to the interval."""
    estimated = f"{result.pearson_dispersion:.2f}"
    if result.pearson_dispersion < 1:
        used = (
            f"Dispersion 1 (estimated {estimated}: the months vary no more than Poisson counts would, "
            "and the test never assumes less variation than that)"
        )
    else:
        used = (
            f"Dispersion {estimated}: the months vary {estimated} times as much (in variance) as "
            f"Poisson counts would, which widens the interval {math.sqrt(result.dispersion):.2f}-fold"
        )
    return f"{used}; {result.df} degrees of freedom, t = {result.t:.2f}."
