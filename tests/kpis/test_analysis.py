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
    # 132 -> 148, n = 280 (exact test); z = 16 / sqrt(280) = 0.956: well within chance
    assert sig["method"] == "exact"
    assert sig["z"] == pytest.approx(0.9562, abs=1e-4)
    assert sig["significant"] is False
    assert sig["explanation"].startswith("The rise from 132 to 148 is within what chance alone")


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


def test_percent_and_mean_kpis_get_no_significance_test():
    trend = trend_of([70.0, 72.0] * 6, [71.0, 73.0] * 6)
    percent = {"unit": "percent", "good_direction": "up"}
    analysis = row_analysis(kpi=percent, trend=trend, comparison=comparison_of("71", "72", unit="percent"))
    assert analysis["significance"] is None
    assert analysis["spc"]["upper"] <= 100
    mean_count = {"unit": "count", "aggregation": "mean", "good_direction": "up"}
    assert (
        row_analysis(kpi=mean_count, trend=trend, comparison=comparison_of("71", "72"))["significance"]
        is None
    )


def test_limits_of_a_count_never_go_below_zero():
    trend = trend_of([1.0, 9.0] * 6, [1.0, 9.0] * 6)
    # mean 5, MR-bar 8: 5 - 2.66 x 8 = -16.28 -> drawn at 0
    assert row_analysis(kpi=COUNT_KPI, trend=trend, comparison={})["spc"]["lower"] == 0.0


def test_fractional_counts_are_not_tested():
    trend = trend_of([1.0] * 12, [1.0] * 12)
    comparison = comparison_of("10.5", "12.25")
    assert row_analysis(kpi=COUNT_KPI, trend=trend, comparison=comparison)["significance"] is None


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
    # 1,320 -> 1,860: z = 540 / sqrt(3,180) = 9.576, p < 0.001 (normal: n > 1,000)
    assert analysis["significance"]["method"] == "normal"
    assert analysis["significance"]["significant"] is True
    assert analysis["significance"]["explanation"] == (
        "The rise from 1,320 to 1,860 is larger than chance alone would explain (p < 0.001)."
    )
    # Every 2018/19 month is above the mean of 132.5: a shift of 12 months, bad for a "down" KPI.
    assert analysis["spc"]["variation"] == "special-concern"
    assert analysis["spc"]["reading"].startswith(
        "Special cause (concern): 12 months above the mean since April 2018"
    )
    assert date.fromisoformat(analysis["spc"]["signals"][-1]["month"]) == date(2019, 3, 1)
