"""Comparison maths against every KPI table of the 2018/19 reference report, and honest gaps."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.comparison import PREVIOUS_ZERO, compare
from kpis.models import Kpi, Observation
from kpis.periods import Period, month_end

# KPI, 2018/19, 2017/18, volume change, % change: as printed in the reference report.
REFERENCE_TABLES = [
    ("1.1", 150_536, 138_893, "+11,643", "+8%"),
    ("1.2", 383_000, 501_342, "-118,342", "-24%"),
    ("2.1", 239_920, 251_454, "-11,534", "-5%"),
    ("3.1", 92_924, 84_760, "+8,164", "+10%"),
    ("4.1", 10_585, 10_806, "-221", "-2%"),
    ("5.1", 3_716, 2_032, "+1,684", "+83%"),
]
FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)


def monthly_split(total: int, seed: int) -> list[int]:
    """Twelve uneven monthly figures that sum to total (seasonal, like real demand)."""
    weights = [100 + ((seed * 37 + i * 53) % 41) - 20 for i in range(12)]
    parts = [total * w // sum(weights) for w in weights]
    parts[-1] += total - sum(parts)
    assert sum(parts) == total and min(parts) > 0
    return parts


def load(kpi, org, period: Period, values, skip=()):
    for i, (month, value) in enumerate(zip(period.months(), values, strict=True)):
        if i in skip:
            continue
        Observation.objects.create(
            kpi=kpi, organisation=org, period_start=month, period_end=month_end(month), value=value
        )


@pytest.mark.parametrize("code,current,previous,change,percent", REFERENCE_TABLES)
def test_every_reference_table_from_monthly_figures(kpis, home, code, current, previous, change, percent):
    kpi = kpis[code]
    load(kpi, home, FY18, monthly_split(current, 1))
    load(kpi, home, FY17, monthly_split(previous, 2))
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.current.value == current and comp.previous.value == previous
    assert comp.change == current - previous
    assert (comp.current_display, comp.previous_display) == (f"{current:,}", f"{previous:,}")
    assert (comp.change_display, comp.percent_change_display) == (change, percent)
    assert comp.notes == []
    frozen = comp.as_dict()
    assert frozen["change_display"] == change and frozen["current"]["months_present"] == 12


def test_previous_zero_says_so_instead_of_an_infinite_percentage(kpis, home):
    kpi = kpis["5.1"]
    load(kpi, home, FY18, [10] * 12)
    load(kpi, home, FY17, [0] * 12)
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.change == 120 and comp.change_display == "+120"
    assert comp.percent_change is None and comp.percent_change_display == "–"
    assert PREVIOUS_ZERO in comp.notes


def test_missing_months_give_no_total_and_name_the_gap(kpis, home):
    kpi = kpis["1.1"]
    load(kpi, home, FY18, [100] * 12, skip={3, 4})  # July and August 2018 missing
    load(kpi, home, FY17, [100] * 12)
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.current.value is None and comp.change is None
    assert comp.current_display == comp.change_display == comp.percent_change_display == "–"
    assert comp.current.months_present == 10
    assert comp.notes == [
        "2018/19 is incomplete: 2 of 12 months have no figure (Jul 2018, Aug 2018), so no total is shown."
    ]


def test_both_periods_incomplete_name_both_gaps(kpis, home):
    kpi = kpis["1.1"]
    load(kpi, home, FY18, [100] * 12, skip={5})  # September 2018
    load(kpi, home, FY17, [100] * 12, skip={5})  # September 2017
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.notes == [
        "2018/19 is incomplete: 1 of 12 months has no figure (Sep 2018), so no total is shown.",
        "2017/18 is incomplete: 1 of 12 months has no figure (Sep 2017), so no total is shown.",
    ]


def test_one_missing_month_is_named_in_the_singular(kpis, home):
    kpi = kpis["1.1"]
    load(kpi, home, FY18, [100] * 12, skip={5})
    load(kpi, home, FY17, [100] * 12)
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.notes == [
        "2018/19 is incomplete: 1 of 12 months has no figure (Sep 2018), so no total is shown."
    ]


def test_no_previous_figures(kpis, home):
    kpi = kpis["1.1"]
    load(kpi, home, FY18, [100] * 12)
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.current_display == "1,200" and comp.previous_display == "–"
    assert comp.notes == ["No comparison: no figures for 2017/18."]


def test_a_row_with_no_figures_at_all_says_so_once(kpis, home):
    comp = compare(kpi=kpis["1.1"], organisation=home, current=FY18, previous=FY17)
    assert comp.notes == ["No figures for 2018/19 or 2017/18 yet."]
    assert comp.current_display == comp.previous_display == comp.change_display == "–"


def test_a_current_period_not_yet_imported_says_so_once(kpis, home):
    load(kpis["1.1"], home, FY17, [100] * 12)
    comp = compare(kpi=kpis["1.1"], organisation=home, current=FY18, previous=FY17)
    assert comp.notes == ["No figures for 2018/19."]


def test_stated_rolling_year_figure_is_used_when_months_are_absent(home):
    # Public confidence: a survey figure for Jan–Dec only, 72% against 76.6% the year before.
    kpi = Kpi.objects.create(
        code="4.2",
        name="Public confidence",
        category="Outcomes",
        unit="percent",
        aggregation="mean",
        decimals=1,
    )
    for year, value in ((2018, "72.0"), (2017, "76.6")):
        Observation.objects.create(
            kpi=kpi,
            organisation=home,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            value=Decimal(value),
        )
    current = Period(date(2018, 1, 1), date(2018, 12, 31))
    comp = compare(kpi=kpi, organisation=home, current=current, previous=current.same_period_last_year())
    assert comp.current.source == "stated"
    assert (comp.current_display, comp.previous_display) == ("72.0%", "76.6%")
    assert comp.change_display == "-4.6 pts"  # the report: "reduced by -4.6 percentage points"
    assert comp.percent_change_display == "–"


def test_as_at_snapshot_uses_the_latest_figure(home):
    # Offenders managed by IOM "as at 31st March 2019": 347.
    kpi = Kpi.objects.create(
        code="5.3", name="IOM offenders managed", category="Prevention", aggregation="last"
    )
    Observation.objects.create(
        kpi=kpi, organisation=home, period_start=date(2019, 3, 31), period_end=date(2019, 3, 31), value=347
    )
    Observation.objects.create(
        kpi=kpi, organisation=home, period_start=date(2018, 2, 28), period_end=date(2018, 2, 28), value=300
    )
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.current_display == "347" and comp.previous_display == "300"
    assert any("as at 28 February 2018" in n for n in comp.notes)


def test_mean_of_times_prints_minutes_and_seconds(home):
    # Average time to answer a 101 call in 2018/19: 1 minute 14 seconds.
    kpi = Kpi.objects.create(
        code="1.4", name="101 answer time", category="Calls", unit="seconds", aggregation="mean"
    )
    load(kpi, home, FY18, [60, 88] * 6)
    load(kpi, home, FY17, [70] * 12)
    comp = compare(kpi=kpi, organisation=home, current=FY18, previous=FY17)
    assert comp.current_display == "1m 14s"
    assert comp.change_display == "+4s" and comp.percent_change_display == "+6%"


def test_quarter_against_the_same_quarter_last_year(kpis, home):
    # CSE: Q4 2018/19 is 61 offences fewer than Q4 2017/18, a 62% reduction.
    kpi = kpis["3.1"]
    q4 = Period.quarter(2018, 4)
    load(kpi, home, q4, [12, 13, 12])
    load(kpi, home, q4.same_period_last_year(), [33, 32, 33])
    comp = compare(kpi=kpi, organisation=home, current=q4, previous=q4.same_period_last_year())
    assert (comp.change_display, comp.percent_change_display) == ("-61", "-62%")
    assert comp.current.period.label == "Q4 2018/19"
