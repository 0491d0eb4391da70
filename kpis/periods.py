"""Reporting periods: UK financial years (April–March), quarters, months, year to date.

A Period is an inclusive range of whole months. Financial year 2018 is 1 April 2018 to
31 March 2019, written "2018/19" (short "18/19"); Q1 is April–June.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_of(d: date) -> int:
    """The year in which d's financial year starts (Jan 2019 -> 2018)."""
    return d.year if d.month >= 4 else d.year - 1


def fy_label(start_year: int, short: bool = False) -> str:
    if short:
        return f"{start_year % 100:02d}/{(start_year + 1) % 100:02d}"
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive run of whole calendar months."""

    start: date
    end: date

    def __post_init__(self):
        if self.start.day != 1 or self.end != month_end(self.end) or self.end < self.start:
            raise ValueError(f"{self.start}–{self.end} is not a run of whole months")

    # ---- constructors
    @classmethod
    def financial_year(cls, start_year: int) -> Period:
        return cls(date(start_year, 4, 1), date(start_year + 1, 3, 31))

    @classmethod
    def quarter(cls, start_year: int, number: int) -> Period:
        """Financial quarter: Q1 = April–June of start_year, Q4 = January–March after it."""
        if number not in (1, 2, 3, 4):
            raise ValueError("a quarter is numbered 1 to 4")
        first = add_months(date(start_year, 4, 1), 3 * (number - 1))
        return cls(first, month_end(add_months(first, 2)))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(first, month_end(first))

    @classmethod
    def year_to_date(cls, through: date) -> Period:
        """From 1 April of through's financial year to the end of through's month."""
        return cls(date(financial_year_of(through), 4, 1), month_end(through))

    # ---- relations
    def same_period_last_year(self) -> Period:
        return Period(
            add_months(self.start, -12), month_end(add_months(self.start, -12 + self.month_count - 1))
        )

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def months(self) -> list[date]:
        """First day of each month in the period, in order."""
        return [add_months(self.start, i) for i in range(self.month_count)]

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    # ---- describing
    @property
    def is_financial_year(self) -> bool:
        return self.start.month == 4 and self.month_count == 12

    @property
    def quarter_number(self) -> int | None:
        if self.month_count == 3 and self.start.month in (4, 7, 10, 1):
            return {4: 1, 7: 2, 10: 3, 1: 4}[self.start.month]
        return None

    @property
    def label(self) -> str:
        """How the reference report writes it: '2018/19', 'Q3 2018/19', 'Apr 2018', …"""
        fy = financial_year_of(self.start)
        if self.is_financial_year:
            return fy_label(fy)
        if self.quarter_number:
            return f"Q{self.quarter_number} {fy_label(fy)}"
        if self.month_count == 1:
            return f"{MONTH_ABBR[self.start.month - 1]} {self.start.year}"
        start, end = self.start, self.end
        return f"{MONTH_ABBR[start.month - 1]} {start.year} – {MONTH_ABBR[end.month - 1]} {end.year}"

    @property
    def short_label(self) -> str:
        """Column headings: '18/19', 'Q3 18/19', or the long label."""
        fy = financial_year_of(self.start)
        if self.is_financial_year:
            return fy_label(fy, short=True)
        if self.quarter_number:
            return f"Q{self.quarter_number} {fy_label(fy, short=True)}"
        return self.label

    @property
    def long_label(self) -> str:
        """'April 2018 – March 2019'."""
        s, e = self.start, self.end
        if self.month_count == 1:
            return f"{calendar.month_name[s.month]} {s.year}"
        return f"{calendar.month_name[s.month]} {s.year} – {calendar.month_name[e.month]} {e.year}"

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
            "short_label": self.short_label,
            "long_label": self.long_label,
        }

    def __str__(self) -> str:
        return self.label


def parse_financial_year(text: str) -> int:
    """'2018/19', '18/19', '2018' -> 2018. Raises ValueError with the reason."""
    t = text.strip()
    if "/" in t:
        a, b = t.split("/", 1)
        a = int(a)
        if a < 100:
            a += 2000
        if int(b) % 100 != (a + 1) % 100:
            raise ValueError(f"'{text}' is not a financial year: the second year must follow the first")
        return a
    return int(t)
