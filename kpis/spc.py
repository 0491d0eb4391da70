"""Statistical process control: XmR charts read the way NHS England's "Making Data Count" does.

An XmR (individuals and moving range) chart asks whether a monthly series varies only by
the noise it always has (common cause) or shows a signal worth explaining (special cause).

Conventions, following Making Data Count (MDC) and its NHS-R "plot the dots" tools:

- the centre line is the mean of the points; the moving range is the absolute difference
  between consecutive months; the process limits are mean ± 2.66 × the average moving range
  (2.66 = 3 / 1.128, so the limits sit at three sigma);
- four special-cause rules, each marking the points that make it up:
  ``beyond_limit``: a point above the upper or below the lower process limit;
  ``shift``: a run of 7 or more consecutive points all above, or all below, the mean
  (a point exactly on the mean ends a run);
  ``trend``: 6 or more consecutive points each higher than the one before (or each lower);
  an equal pair ends a trend, and the trend rule counts points, not steps (6 points = 5 rises);
  ``two_of_three``: two of three consecutive points in the outer third on the same side of
  the mean (beyond 2 sigma, i.e. beyond mean ± 2/3 of the distance to a limit);
- a missing month (None) is skipped: rules run over the months that have figures, in order,
  but a moving range is only taken between two months that are next to each other, so a
  gap never counts as one big jump.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from .periods import add_months

SCALING = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
SHIFT_LENGTH = 7
TREND_LENGTH = 6

TOO_FEW_POINTS = "An XmR chart needs at least two consecutive months with figures."
COMMON_CAUSE = "Common-cause variation only."


@dataclass(frozen=True)
class Signal:
    """One point taking part in a special-cause pattern: which point, which rule, which way."""

    index: int  # position in the series given (gaps included)
    rule: str  # "beyond_limit" | "shift" | "trend" | "two_of_three"
    direction: str  # "up" (high / rising) or "down" (low / falling)

    def as_dict(self) -> dict:
        return {"index": self.index, "rule": self.rule, "direction": self.direction}


@dataclass
class XmrResult:
    """An XmR chart's lines and signals, with a one-line reading for people."""

    mean: float
    upper: float
    lower: float
    average_moving_range: float
    points: int
    signals: list[Signal] = field(default_factory=list)
    reading: str = COMMON_CAUSE
    variation: str = "common"  # "common" | "special-improvement" | "special-concern" | "special-neither"


def _month_name(month) -> str:
    if month is None:
        return ""
    if isinstance(month, str):
        month = date.fromisoformat(month[:10])
    return f"{calendar.month_name[month.month]} {month.year}"


def _runs(present: list[tuple[int, float]], key) -> list[tuple[int, int, str]]:
    """Maximal runs (first, last position in `present`, direction) where key() keeps one value."""
    runs, start = [], 0
    for i in range(1, len(present) + 1):
        if i == len(present) or key(i) != key(start) or key(i) is None:
            if key(start) is not None:
                runs.append((start, i - 1, key(start)))
            start = i
    return runs


def _episodes(present, mean, upper, lower, sigma) -> list[dict]:
    """Each special-cause pattern once: rule, direction, first and last position, points."""
    episodes = []

    def beyond(pos):
        value = present[pos][1]
        return "up" if value > upper else "down" if value < lower else None

    # Neighbouring months beyond the same limit are one episode ("3 months above ... since").
    for first, last, direction in _runs(present, beyond):
        episodes.append(
            {"rule": "beyond_limit", "direction": direction, "positions": list(range(first, last + 1))}
        )

    def side(pos):
        value = present[pos][1]
        return "up" if value > mean else "down" if value < mean else None

    for first, last, direction in _runs(present, side):
        if last - first + 1 >= SHIFT_LENGTH:
            episodes.append(
                {"rule": "shift", "direction": direction, "positions": list(range(first, last + 1))}
            )

    # A trend is a run of steps in one direction: position p's step is p-1 -> p.
    def step(pos):
        if pos == 0:
            return None
        before, now = present[pos - 1][1], present[pos][1]
        return "up" if now > before else "down" if now < before else None

    for first, last, direction in _runs(present, step):
        if last - first + 2 >= TREND_LENGTH:  # steps first..last join points first-1..last
            episodes.append(
                {"rule": "trend", "direction": direction, "positions": list(range(first - 1, last + 1))}
            )

    def outer(pos):
        value = present[pos][1]
        if value > mean + 2 * sigma:
            return "up"
        if value < mean - 2 * sigma:
            return "down"
        return None

    for direction in ("up", "down"):
        marked: list[int] = []
        for first in range(0, max(len(present) - 2, 0)):
            window = [p for p in range(first, first + 3) if outer(p) == direction]
            if len(window) >= 2:
                marked.extend(p for p in window if p not in marked)
        # Neighbouring windows describe one episode: split where marked points are far apart.
        group: list[int] = []
        for pos in sorted(marked):
            if group and pos - group[-1] > 2:
                episodes.append({"rule": "two_of_three", "direction": direction, "positions": group})
                group = []
            group.append(pos)
        if group:
            episodes.append({"rule": "two_of_three", "direction": direction, "positions": group})
    return episodes


def _describe(episode: dict, months: list, present) -> str:
    positions = episode["positions"]
    first_month = _month_name(months[present[positions[0]][0]]) if months else ""
    last_month = _month_name(months[present[positions[-1]][0]]) if months else ""
    count = len(positions)
    rule, direction = episode["rule"], episode["direction"]
    if rule == "shift":
        side = "above" if direction == "up" else "below"
        text = f"{count} months {side} the mean"
        return f"{text} since {first_month}" if first_month else text
    if rule == "trend":
        way = "rising" if direction == "up" else "falling"
        text = f"{count} months {way} in a row"
        return f"{text} since {first_month}" if first_month else text
    if rule == "beyond_limit":
        limit = "upper" if direction == "up" else "lower"
        where = "above" if direction == "up" else "below"
        if count > 1:
            text = f"{count} months {where} the {limit} process limit"
            return f"{text} since {first_month}" if first_month else text
        return f"{last_month or 'a month'} is {where} the {limit} process limit"
    limit = "upper" if direction == "up" else "lower"
    span = positions[-1] - positions[0] + 1
    several = f"{count} months in a row" if count == span else f"{count} of {span} months"
    text = f"{several} close to the {limit} process limit"
    return f"{text}, latest {last_month}" if last_month else text


RULE_PRIORITY = {"beyond_limit": 0, "shift": 1, "trend": 2, "two_of_three": 3}


def _variation(direction: str, good_direction: str) -> str:
    if good_direction not in ("up", "down"):
        return "special-neither"
    return "special-improvement" if direction == good_direction else "special-concern"


def xmr(values: list, *, months: list | None = None, good_direction: str = "neither") -> XmrResult:
    """An XmR chart of `values` (None for a month without a figure).

    `months` (dates or ISO strings, one per value) lets the reading name months;
    `good_direction` ("up", "down", "neither") says whether a signal is an improvement.
    Raises ValueError(TOO_FEW_POINTS) when no two neighbouring months have figures.
    """
    present = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    moving_ranges = [
        abs(b - a) for (ia, a), (ib, b) in zip(present, present[1:], strict=False) if ib == ia + 1
    ]
    if not moving_ranges:
        raise ValueError(TOO_FEW_POINTS)
    mean = sum(v for _, v in present) / len(present)
    mr_bar = sum(moving_ranges) / len(moving_ranges)
    upper, lower = mean + SCALING * mr_bar, mean - SCALING * mr_bar
    sigma = SCALING * mr_bar / 3

    episodes = _episodes(present, mean, upper, lower, sigma)
    signals = sorted(
        {Signal(present[pos][0], ep["rule"], ep["direction"]) for ep in episodes for pos in ep["positions"]},
        key=lambda s: (s.index, RULE_PRIORITY[s.rule]),
    )
    result = XmrResult(
        mean=mean, upper=upper, lower=lower, average_moving_range=mr_bar, points=len(present), signals=signals
    )
    if episodes:
        # Readers need the latest news: the pattern ending last; on a tie the longest (a year
        # above the mean says more than its last month beyond the limit), then the stronger rule.
        latest = max(
            episodes,
            key=lambda ep: (ep["positions"][-1], len(ep["positions"]), -RULE_PRIORITY[ep["rule"]]),
        )
        result.variation = _variation(latest["direction"], good_direction)
        label = {
            "special-improvement": "Special cause (improvement)",
            "special-concern": "Special cause (concern)",
            "special-neither": "Special cause",
        }[result.variation]
        result.reading = f"{label}: {_describe(latest, months or [], present)}."
    return result


def trend_months(trend: dict) -> tuple[list, list]:
    """The values of a monthly trend (previous period, then current) and their months.

    When the comparison period does not end just before the current one (a quarter against
    the same quarter a year earlier), a None gap separates them, so no moving range is taken
    across the months in between.
    """
    current = [date.fromisoformat(m) for m in trend["months"]]
    if trend.get("previous_months"):
        previous = [date.fromisoformat(m) for m in trend["previous_months"]]
    else:  # a trend without its comparison months: the months just before the current ones
        count = len(trend["previous"]["values"])
        previous = [add_months(current[0], i - count) for i in range(count)] if current else []
    values = list(trend["previous"]["values"]) + list(trend["current"]["values"])
    months: list = [m.isoformat() for m in previous + current]
    if previous and current and add_months(previous[-1], 1) != current[0]:
        split = len(previous)
        values.insert(split, None)
        months.insert(split, None)
    return values, months


def xmr_from_trend(trend: dict, *, good_direction: str = "neither") -> XmrResult:
    """XmR over both years of a `kpis.series.monthly_trend` dict, previous year first."""
    values, months = trend_months(trend)
    return xmr(values, months=months, good_direction=good_direction)
