"""What the cells people write mean: 'Apr-18' or a date cell as a month, '£1,234.50' or
'72%' as a number, anything as text; and the marker for a formula saved without a value.

Reading the files themselves, safely, is the kpis.spreadsheets package.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

# The one formula rule of every spreadsheet screen, here for the importers that read cells.
from portal.spreadsheet_safety import FORMULA_STARTS, unneutralise  # noqa: F401

from .periods import MONTH_ABBR

NOT_A_NUMBER = "'{text}' is not a number."
NUMBER_TOO_BIG = "'{text}' is too large to store."
MAX_VALUE = Decimal(10) ** 14
FOUR_PLACES = Decimal("0.0001")


class _FormulaWithoutValue:
    """Marks a cell holding a formula that was never calculated."""

    def __repr__(self) -> str:
        return "<formula without value>"


FORMULA = _FormulaWithoutValue()

_MONTH_NAMES = {name.lower(): i + 1 for i, name in enumerate(MONTH_ABBR)}
_MONTH_NAMES.update(
    {
        n.lower(): i
        for i, n in enumerate(
            [
                "",
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]
        )
        if n
    }
)
_MONTH_NAMES["sept"] = 9
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3,9})[-\s/']*(\d{2}|\d{4})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_month(value) -> date | None:
    """The first day of the month a cell names, or None if it names no month.

    Accepts date cells, '2018-04', '2018-04-01', 'Apr-18', 'Apr 2018', 'April 2018', '01/04/2018'.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    if not isinstance(value, str):
        return None
    text = value.strip().lstrip("'")
    m = _ISO_MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        day = int(m.group(3) or 1)
    else:
        m = _NAMED_MONTH.match(text)
        if m:
            month = _MONTH_NAMES.get(m.group(1).lower())
            if month is None:
                return None
            year = int(m.group(2))
            year += 2000 if year < 100 else 0
            day = 1
        else:
            m = _UK_DATE.match(text)
            if not m:
                return None
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            year += 2000 if year < 100 else 0
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    return date(year, month, 1)


def parse_number(value) -> Decimal:
    """A cell as a Decimal: 150,536 / ' 72% ' / '1,234.5' / '£107,020.62' / numeric cells.

    Raises ValueError with the message to show for anything else ('n/a', '12 calls').
    """
    if isinstance(value, bool) or value is None or value is FORMULA:
        raise ValueError(NOT_A_NUMBER.format(text=value))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value)
        cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").lstrip("'")
        if cleaned.endswith("%"):
            cleaned = cleaned[:-1].rstrip()
        if cleaned.startswith("£"):
            cleaned = cleaned[1:]
        elif cleaned.startswith(("-£", "+£")):
            cleaned = cleaned[0] + cleaned[2:]
        if _GROUPED.match(cleaned):
            cleaned = cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise ValueError(NOT_A_NUMBER.format(text=text.strip()[:60]))
        number = Decimal(cleaned)
    if not number.is_finite():
        raise ValueError(NOT_A_NUMBER.format(text=value))
    if abs(number) >= MAX_VALUE:
        raise ValueError(NUMBER_TOO_BIG.format(text=value))
    return number.quantize(FOUR_PLACES)


def cell_text(value) -> str:
    """A cell as trimmed text; numbers read from spreadsheets keep their written form (1.1 not 1.1000)."""
    if value is None or value is FORMULA:
        return ""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def month_label(d: date) -> str:
    return f"{d:%Y-%m}"
