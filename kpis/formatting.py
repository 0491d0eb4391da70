"""Print KPI values the way the reference report does.

`150,536`, `+11,643`, `+8%`, `72%`, `1m 14s`, `£107,020.62`. Every function takes a
Decimal (or None for "no figure") and returns the text readers see.
"""

from decimal import ROUND_HALF_UP, Decimal

NO_FIGURE = "–"


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _grouped(value: Decimal, decimals: int) -> str:
    return f"{_round(abs(value), decimals):,.{decimals}f}"


def format_duration(seconds: Decimal) -> str:
    total = int(_round(abs(seconds), 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def format_value(value: Decimal | None, unit: str, decimals: int = 0) -> str:
    """A value in its own unit: '150,536', '72.0%', '1m 14s', '£107,020.62'."""
    if value is None:
        return NO_FIGURE
    sign = "-" if value < 0 else ""
    if unit == "percent":
        return f"{sign}{_grouped(value, decimals)}%"
    if unit == "seconds":
        return f"{sign}{format_duration(value)}"
    if unit == "currency":
        return f"{sign}£{_grouped(value, decimals)}"
    return f"{sign}{_grouped(value, decimals)}"


def format_change(change: Decimal | None, unit: str, decimals: int = 0) -> str:
    """A volume change with its sign: '+11,643', '-118,342', '+4.6 pts', '+0s'."""
    if change is None:
        return NO_FIGURE
    if _round(change, decimals) == 0:
        sign = ""
    else:
        sign = "+" if change > 0 else "-"
    if unit == "percent":
        return f"{sign}{_grouped(change, decimals)} pts"
    if unit == "seconds":
        return f"{sign}{format_duration(change)}"
    if unit == "currency":
        return f"{sign}£{_grouped(change, decimals)}"
    return f"{sign}{_grouped(change, decimals)}"


def format_percent_change(pct: Decimal | None, decimals: int = 0) -> str:
    """'+8%', '-24%', '0%'. Rounded half away from zero, as a spreadsheet would."""
    if pct is None:
        return NO_FIGURE
    rounded = _round(pct, decimals)
    if rounded == 0:
        return f"{abs(rounded):.{decimals}f}%"
    return f"{'+' if rounded > 0 else '-'}{abs(rounded):,.{decimals}f}%"
