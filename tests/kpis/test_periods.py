"""kpis/periods.py: UK financial years, quarters, months and the same period last year."""

from datetime import date

import pytest

from kpis.periods import Period, financial_year_of, fy_label, parse_financial_year


def test_financial_year_runs_april_to_march():
    fy = Period.financial_year(2018)
    assert (fy.start, fy.end) == (date(2018, 4, 1), date(2019, 3, 31))
    assert (fy.label, fy.short_label, fy.long_label) == ("2018/19", "18/19", "April 2018 – March 2019")
    assert fy.month_count == 12 and fy.months()[0] == date(2018, 4, 1) and fy.months()[-1] == date(2019, 3, 1)
    assert fy.is_financial_year


@pytest.mark.parametrize(
    "number,start,end",
    [
        (1, date(2018, 4, 1), date(2018, 6, 30)),
        (2, date(2018, 7, 1), date(2018, 9, 30)),
        (3, date(2018, 10, 1), date(2018, 12, 31)),
        (4, date(2019, 1, 1), date(2019, 3, 31)),
    ],
)
def test_quarters_start_in_april(number, start, end):
    q = Period.quarter(2018, number)
    assert (q.start, q.end) == (start, end)
    assert q.label == f"Q{number} 2018/19" and q.short_label == f"Q{number} 18/19"
    assert q.quarter_number == number


def test_same_period_last_year():
    assert Period.financial_year(2018).same_period_last_year() == Period.financial_year(2017)
    assert Period.quarter(2018, 4).same_period_last_year() == Period.quarter(2017, 4)
    feb = Period.month(2020, 2)
    assert feb.same_period_last_year() == Period.month(2019, 2)
    assert feb.end == date(2020, 2, 29)
    ytd = Period.year_to_date(date(2019, 1, 15))
    assert (ytd.start, ytd.end) == (date(2018, 4, 1), date(2019, 1, 31))
    assert ytd.same_period_last_year() == Period(date(2017, 4, 1), date(2018, 1, 31))


def test_financial_year_of_and_labels():
    assert financial_year_of(date(2019, 3, 31)) == 2018
    assert financial_year_of(date(2019, 4, 1)) == 2019
    assert fy_label(2099) == "2099/00" and fy_label(1999, short=True) == "99/00"
    assert Period.month(2018, 4).label == "Apr 2018"


@pytest.mark.parametrize(
    "text,year", [("2018/19", 2018), ("18/19", 2018), ("2018", 2018), (" 2019/20 ", 2019)]
)
def test_parse_financial_year(text, year):
    assert parse_financial_year(text) == year


@pytest.mark.parametrize("text", ["2018/20", "abc", "2018/xx"])
def test_parse_financial_year_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_financial_year(text)


def test_a_period_is_whole_months():
    with pytest.raises(ValueError):
        Period(date(2018, 4, 2), date(2018, 4, 30))
    with pytest.raises(ValueError):
        Period(date(2018, 5, 1), date(2018, 4, 30))
    with pytest.raises(ValueError):
        Period.quarter(2018, 5)
