"""What period and day cells mean: '2018/19', 'Q3 2018/19', 'Jan 2018 – Dec 2018',
'as at 2019-03-31' as (start, end); '31/12/2018' or a date cell as a day."""

from __future__ import annotations

import re
from datetime import date, datetime

from ..cells import cell_text, parse_month
from ..periods import Period, month_end, parse_financial_year

RANGE_SPLIT = re.compile(r"\s+(?:to|-)\s+|\s*[–—]\s*", re.IGNORECASE)
QUARTER = re.compile(r"^q([1-4])\s+(\S+)$", re.IGNORECASE)
AS_AT = re.compile(r"^as\s+at\s+(.+)$", re.IGNORECASE)
UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(value, *, end: bool = False) -> date | None:
    """A date cell or text ('2018-12-31', '31/12/2018'); a bare month means its first (or last) day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = UK_DAY.match(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    month = parse_month(text) if text else None
    if month is None:
        return None
    return month_end(month) if end else month


def parse_period(value) -> tuple[date, date] | None:
    """(start, end) for a period cell, or None when it names no period."""
    if isinstance(value, datetime | date):
        month = parse_month(value)
        return month, month_end(month)
    text = cell_text(value)
    if not text:
        return None
    m = AS_AT.match(text)
    if m:
        day = parse_day(m.group(1))
        return (day, day) if day else None
    m = QUARTER.match(text)
    if m:
        try:
            quarter = Period.quarter(parse_financial_year(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
        return quarter.start, quarter.end
    if re.fullmatch(r"\d{2,4}/\d{2}", text):
        try:
            year = Period.financial_year(parse_financial_year(text))
        except ValueError:
            return None
        return year.start, year.end
    parts = RANGE_SPLIT.split(text)
    if len(parts) == 2:
        first, last = parse_month(parts[0].strip()), parse_month(parts[1].strip())
        if first is None or last is None or last < first:
            return None
        return first, month_end(last)
    month = parse_month(text)
    return (month, month_end(month)) if month else None


def period_text(start: date, end: date) -> str:
    if start == end:
        return f"as at {start.isoformat()}"
    return f"{start.isoformat()} to {end.isoformat()}"
