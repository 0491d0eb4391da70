"""The analysis dict frozen into each KPI row: SPC lines and the significance of the change."""

import json
from datetime import date
from decimal import Decimal

import pytest

from kpis.analysis import row_analysis
from kpis.comparison import compare, compare_values
from kpis.models import Kpi, Observation, Organisation
from kpis.periods import Period
from kpis.series import PeriodValue, monthly_trend
from kpis.significance_result import NOT_TESTED_FRACTIONAL, NOT_TESTED_RATE, NOT_TESTED_STATED

FY18, FY17 = Period.financial_year(2018), Period.financial_year(2017)


def trend_of(previous, current):
    return {
        "kpi": {"code": "1.1", "name": "Number of 999 Calls", "unit": "count", "decimals": 0},
        "labels": ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"],
        "months": [m.isoformat() for m in FY18.months()],
        "current": {"label": "2018/19", "short_label": "18/19", "values": current},
        "previous": {"label": "2017/18", "short_label": "17/18", "values": previous},
    }


def comparison_of(previous, current, *, unit="count", decimals=0):
    def pv(period, value):
        return PeriodValue(period, None if value is None else Decimal(value), 12, 12, "months")

    return compare_values(pv(FY18, current), pv(FY17, previous), unit=unit, decimals=decimals).as_dict()


COUNT_KPI = {"code": "1.1", "unit": "count", "good_direction": "neither", "decimals": 0}


def test_a_count_row_gets_spc_and_significance_and_is_json_safe():
    previous = [10.0, 12.0] * 6
    current = [12.0, 10.0, 12.0, 10.0, 10.0, 13.0, 13.0, 14.0, 13.0, 14.0, 13.0, 14.0]
    analysis = row_analysis(
        kpi=COUNT_KPI, trend=trend_of(previous, current), comparison=comparison_of("132", "148")
    )
    assert json.loads(json.dumps(analysis)) == analysis
    spc = analysis["spc"]
    assert spc["mean"] == pytest.approx(280 / 24, abs=1e-4)
    assert spc["variation"] == "special-neither"
    assert spc["reading"] == "Special cause: 7 months above the mean since September 2018."
    assert [s["month"] for s in spc["signals"]][0] == "2018-09-01"
    assert {s["rule"] for s in spc["signals"]} == {"shift"}
    sig = analysis["significance"]
    # 132 -> 148 with every month given: the quasi-Poisson test. The months vary less than
    # Poisson counts would (Pearson 0.148), so the dispersion used is 1; t = log(148 / 132) /
    # sqrt(1 / 132 + 1 / 148) = 0.956 on 22 degrees of freedom: well within the usual variation.
    assert sig["method"] == "quasi-poisson"
    assert sig["t"] == pytest.approx(0.9557, abs=1e-4)
    assert sig["dispersion"] == 1.0 and sig["pearson_dispersion"] == pytest.approx(0.1479, abs=1e-4)
    assert sig["ratio"] == pytest.approx(148 / 132, abs=1e-6)
    assert sig["significant"] is False
    assert sig["explanation"] == (
        "A rise of 12% (95% interval -13% to +44%): within the usual month-to-month variation of "
        "2017/18 and 2018/19."
    )
    # The chart sees 7 months above the mean; the reviewer is told why both can be true.
    assert sig["spc_note"].startswith(
        "The XmR chart and the test disagree: the chart reads “Special cause: 7 months above the mean"
    )


def test_fewer_than_twelve_months_give_no_spc():
    previous = [None] * 12
    current = [10.0, 12.0] * 5 + [None, None]
    analysis = row_analysis(
        kpi=COUNT_KPI, trend=trend_of(previous, current), comparison=comparison_of(None, "110")
    )
    assert analysis == {"spc": None, "significance": None}


def test_twelve_months_across_a_gap_are_enough():
    previous = [None] * 6 + [10.0, 12.0, 10.0, 12.0, 10.0, 12.0]
    current = [10.0, 12.0, 10.0, 12.0, 10.0, 12.0] + [None] * 6
    assert row_analysis(kpi=COUNT_KPI, trend=trend_of(previous, current), comparison={})["spc"] is not None


def test_percentages_get_no_test_and_rates_and_stated_figures_say_why():
    trend = trend_of([70.0, 72.0] * 6, [71.0, 73.0] * 6)
    percent = {"unit": "percent", "good_direction": "up"}
    analysis = row_analysis(kpi=percent, trend=trend, comparison=comparison_of("71", "72", unit="percent"))
    assert analysis["significance"] is None
    assert analysis["spc"]["upper"] <= 100
    rate = {"unit": "count", "aggregation": "mean", "good_direction": "up"}
    sig = row_analysis(kpi=rate, trend=trend, comparison=comparison_of("71", "72"))["significance"]
    assert sig["method"] == "not-tested" and sig["significant"] is None
    assert sig["explanation"] == NOT_TESTED_RATE and "rate per 1,000" in sig["explanation"]
    stated = {"unit": "percent", "aggregation": "last", "good_direction": "up"}
    sig = row_analysis(kpi=stated, trend=trend, comparison=comparison_of("71", "72", unit="percent"))[
        "significance"
    ]
    assert sig["method"] == "not-tested" and sig["explanation"] == NOT_TESTED_STATED
    assert sig["spc_note"] == ""


def test_limits_of_a_count_never_go_below_zero():
    trend = trend_of([1.0, 9.0] * 6, [1.0, 9.0] * 6)
    # mean 5, MR-bar 8: 5 - 2.66 x 8 = -16.28 -> drawn at 0
    assert row_analysis(kpi=COUNT_KPI, trend=trend, comparison={})["spc"]["lower"] == 0.0


def test_fractional_counts_are_not_tested():
    trend = trend_of([1.0] * 12, [1.0] * 12)
    comparison = comparison_of("10.5", "12.25")
    sig = row_analysis(kpi=COUNT_KPI, trend=trend, comparison=comparison)["significance"]
    assert sig["method"] == "not-tested" and sig["explanation"] == NOT_TESTED_FRACTIONAL


def test_a_missing_figure_gives_no_significance():
    trend = trend_of([1.0] * 12, [1.0] * 12)
    assert (
        row_analysis(kpi=COUNT_KPI, trend=trend, comparison=comparison_of("10", None))["significance"] is None
    )


@pytest.mark.django_db
def test_row_analysis_reads_a_kpi_model_and_the_series_functions():
    org = Organisation.home()
    kpi = Kpi.objects.create(code="1.1", name="Number of 999 Calls", category="Calls", good_direction="down")
    values = [100, 120] * 6 + [150, 160, 150, 160, 150, 160, 150, 160, 150, 160, 150, 160]
    for month, value in zip(FY17.months() + FY18.months(), values, strict=True):
        Observation.objects.create(
            kpi=kpi,
            organisation=org,
            period_start=month,
            period_end=Period.month(month.year, month.month).end,
            value=value,
        )
    trend = monthly_trend(kpi=kpi, organisation=org, current=FY18, previous=FY17)
    comparison = compare(kpi=kpi, organisation=org, current=FY18, previous=FY17).as_dict()
    analysis = row_analysis(kpi=kpi, trend=trend, comparison=comparison)
    # 1,320 -> 1,860, 110 and 155 a month: ratio 1.409, t = 9.53 on 22 degrees of freedom.
    assert analysis["significance"]["method"] == "quasi-poisson"
    assert analysis["significance"]["significant"] is True
    assert analysis["significance"]["explanation"] == (
        "A rise of 41% (95% interval +31% to +52%): bigger than the month-to-month variation of "
        "2017/18 and 2018/19 would explain."
    )
    assert analysis["significance"]["spc_note"] == ""  # the chart sees the shift too
    # Every 2018/19 month is above the mean of 132.5: a shift of 12 months, bad for a "down" KPI.
    assert analysis["spc"]["variation"] == "special-concern"
    assert analysis["spc"]["reading"].startswith(
        "Special cause (concern): 12 months above the mean since April 2018"
    )
    assert date.fromisoformat(analysis["spc"]["signals"][-1]["month"]) == date(2019, 3, 1)
