"""Financial years and quarters as the Home Office tables write them.

Financial Year cells: '2019/20', '2019-20', '2019_20' (sheet names use the last two),
'2019/2020', 'FY 2019/20'. Financial Quarter cells: 1–4, 'Q1', 'Quarter 1', 'Apr - Jun'.
Q1 is April–June, as everywhere in the portal (kpis.periods).
"""

from __future__ import annotations

import re

_YEAR = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/\-_]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(?:q|quarter)?\s*([1-4])$", re.IGNORECASE)
_QUARTER_MONTHS = {
    ("apr", "jun"): 1,
    ("jul", "sep"): 2,
    ("oct", "dec"): 3,
    ("jan", "mar"): 4,
}
_MONTH_RANGE = re.compile(r"^([a-z]{3})[a-z]*\s*(?:-|–|to)\s*([a-z]{3})[a-z]*$", re.IGNORECASE)


def parse_financial_year(value) -> int | None:
    """The year a financial year cell starts in ('2019/20' -> 2019), or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1990 <= value <= 2200 else None
    text = " ".join(str(value or "").split())
    match = _YEAR.match(text)
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if second % 100 != (first + 1) % 100 or (second >= 100 and second != first + 1):
        return None
    return first


def parse_financial_quarter(value) -> int | None:
    """1–4 for a quarter cell, or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1 <= value <= 4 else None
    text = " ".join(str(value or "").split())
    match = _QUARTER.match(text)
    if match:
        return int(match.group(1))
    match = _MONTH_RANGE.match(text)
    if match:
        return _QUARTER_MONTHS.get((match.group(1).lower(), match.group(2).lower()))
    return None
