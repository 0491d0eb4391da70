"""kpis/formatting.py: values printed as the reference report prints them."""

from decimal import Decimal

import pytest

from kpis.formatting import format_change, format_percent_change, format_value


@pytest.mark.parametrize(
    "value,unit,decimals,expected",
    [
        (Decimal("150536"), "count", 0, "150,536"),
        (Decimal("72"), "percent", 0, "72%"),
        (Decimal("70.2"), "percent", 1, "70.2%"),
        (Decimal("74"), "seconds", 0, "1m 14s"),
        (Decimal("534"), "seconds", 0, "8m 54s"),
        (Decimal("5"), "seconds", 0, "5s"),
        (Decimal("3725"), "seconds", 0, "1h 2m 5s"),
        (Decimal("107020.62"), "currency", 2, "£107,020.62"),
        (Decimal("-221"), "count", 0, "-221"),
        (Decimal("2.5"), "count", 0, "3"),  # half away from zero, as a spreadsheet rounds
        (None, "count", 0, "–"),
    ],
)
def test_format_value(value, unit, decimals, expected):
    assert format_value(value, unit, decimals) == expected


@pytest.mark.parametrize(
    "change,unit,decimals,expected",
    [
        (Decimal("11643"), "count", 0, "+11,643"),
        (Decimal("-118342"), "count", 0, "-118,342"),
        (Decimal("-4.6"), "percent", 1, "-4.6 pts"),
        (Decimal("0.4"), "count", 0, "0"),
        (Decimal("4"), "seconds", 0, "+4s"),
        (Decimal("-1000.5"), "currency", 2, "-£1,000.50"),
        (None, "count", 0, "–"),
    ],
)
def test_format_change(change, unit, decimals, expected):
    assert format_change(change, unit, decimals) == expected


@pytest.mark.parametrize(
    "pct,expected",
    [
        (Decimal(11643) / Decimal(138893) * 100, "+8%"),
        (Decimal(-118342) / Decimal(501342) * 100, "-24%"),
        (Decimal(1684) / Decimal(2032) * 100, "+83%"),
        (Decimal("9.6"), "+10%"),
        (Decimal("0.4"), "0%"),
        (Decimal("-0.4"), "0%"),
        (Decimal("-1.5"), "-2%"),
        (None, "–"),
    ],
)
def test_format_percent_change(pct, expected):
    assert format_percent_change(pct) == expected
