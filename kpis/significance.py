"""Is a change in a count bigger than chance alone would explain?

Counts of events (calls, crimes, searches) are modelled as Poisson. Given the two counts
c1 (previous) and c2 (current), the test conditions on their total n = c1 + c2: if the two
periods had the same underlying rate, c2 would be Binomial(n, t2 / (t1 + t2)), where t1 and
t2 are the lengths of the periods (equal for a year against a year, so p = 1/2).

- small totals (n <= EXACT_LIMIT): the exact conditional binomial test, two-sided by adding
  the probabilities of every outcome no more likely than the one observed (as R's
  `binom.test` and SciPy's `binomtest` do);
- large totals: the normal approximation z = (c2 - n p) / sqrt(n p (1 - p)), which for equal
  periods is (c2 - c1) / sqrt(c1 + c2), with a two-sided p-value from the normal curve.

The level is 0.05, two-sided. A caution for readers of the code: real crime counts vary more
than Poisson counts do (seasons, recording changes), so with counts in the tens of thousands
almost any change is "significant"; the explanation says "larger than chance alone would
explain", which is exactly what the test shows and no more. That is why this test only
stands in where kpis.quasi_poisson, which estimates the variation from the monthly figures,
cannot be used (too few months, missing months, a period with none): see
kpis.significance_result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.05
EXACT_LIMIT = 1000

NEGATIVE_COUNT = "Counts cannot be negative."
NOT_WHOLE = "A significance test for counts needs whole numbers."


@dataclass(frozen=True)
class CountChange:
    """The result of comparing two counts: the statistic, the p-value and what it means."""

    previous: int
    current: int
    method: str  # "exact" or "normal"
    z: float | None
    p_value: float
    level: float
    significant: bool
    explanation: str

    def as_dict(self) -> dict:
        return {
            "previous": self.previous,
            "current": self.current,
            "method": self.method,
            "z": None if self.z is None else round(self.z, 4),
            "p_value": self.p_value,
            "level": self.level,
            "significant": self.significant,
            "explanation": self.explanation,
        }


def _log_binomial_pmf(k: int, n: int, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + (k * math.log(p) if k else 0.0)
        + ((n - k) * math.log1p(-p) if n - k else 0.0)
    )


def exact_p_value(*, previous: int, current: int, share: float = 0.5) -> float:
    """Two-sided exact p-value of `current` out of previous + current, Binomial(n, share)."""
    n = previous + current
    if n == 0:
        return 1.0
    observed = _log_binomial_pmf(current, n, share)
    # Outcomes as likely as the observed one, allowing for rounding in the logs.
    cutoff = observed + math.log1p(1e-7)
    total = sum(math.exp(lp) for k in range(n + 1) if (lp := _log_binomial_pmf(k, n, share)) <= cutoff)
    return min(1.0, total)


def normal_p_value(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def format_p(p: float) -> str:
    """'p < 0.001', 'p = 0.004', 'p = 0.04', 'p = 0.65'."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _whole(value) -> int:
    number = float(value)
    if number < 0:
        raise ValueError(NEGATIVE_COUNT)
    if number != int(number):
        raise ValueError(NOT_WHOLE)
    return int(number)


def count_change(
    *,
    previous,
    current,
    level: float = LEVEL,
    previous_length: float = 1.0,
    current_length: float = 1.0,
) -> CountChange:
    """Test whether `current` differs from `previous` by more than Poisson chance.

    `previous_length` / `current_length` are the lengths of the two periods (e.g. months)
    when they differ. Raises ValueError for negative or fractional counts.
    """
    c1, c2 = _whole(previous), _whole(current)
    share = current_length / (previous_length + current_length)
    n = c1 + c2
    z = None
    if n == 0:
        method, p = "exact", 1.0
    elif n <= EXACT_LIMIT:
        method, p = "exact", exact_p_value(previous=c1, current=c2, share=share)
        z = (c2 - n * share) / math.sqrt(n * share * (1 - share))
    else:
        method = "normal"
        z = (c2 - n * share) / math.sqrt(n * share * (1 - share))
        p = normal_p_value(z)
    significant = p < level
    return CountChange(c1, c2, method, z, p, level, significant, _explain(c1, c2, p, significant))


def _explain(previous: int, current: int, p: float, significant: bool) -> str:
    if previous == current:
        return f"There is no change ({current:,} in both periods)."
    way = "rise" if current > previous else "fall"
    change = f"The {way} from {previous:,} to {current:,}"
    if significant:
        return f"{change} is larger than chance alone would explain ({format_p(p)})."
    return f"{change} is within what chance alone could explain ({format_p(p)})."
