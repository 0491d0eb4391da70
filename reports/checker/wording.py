"""Figures written other than as digits: number words, fractions, ranges, footnote markers.

"twelve", "two hundred and twenty-one", "eight in ten", "a third", "between 10 and 12%",
"10–11%"; and the footnote markers that follow a figure ("1,241¹", "[2]", "(note 1)"),
which are blanked out before the figures are read so they are neither figures themselves
nor glued to the figure they mark.
"""

from __future__ import annotations

import re
from decimal import Decimal

UNIT_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
TENS_WORDS = {
    w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
SCALE_WORDS = {"hundred": 100, "thousand": 1000}
_WORD = "|".join(sorted([*UNIT_WORDS, *TENS_WORDS, *SCALE_WORDS], key=len, reverse=True))
NUMBER_WORDS = re.compile(rf"\b(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*\b", re.I)
FRACTION_NAMES = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
}  # fmt: skip
# "eight in ten", "1 in 5", "one in every three", "four out of five"
IN_EVERY = re.compile(
    rf"\b({_WORD}|\d{{1,3}})\s+(?:in|out of)\s+(?:every\s+)?({_WORD}|\d{{1,3}})\b(?![\d%/]|[.,]\d)", re.I
)
# "a third", "two thirds", "a quarter": not "a quarter of the year", "three quarters of 2023/24"
# nor "a quarter of a million"
FRACTION = re.compile(
    r"\b(?:(a|an|one|two|three|four)[\s-]+(half|halves|thirds?|quarters?|fifths?)|(half)(?=\s+of\s))\b"
    r"(?!\s+(?:of\s+)?(?:the\s+)?(?:\d|year|financial|period|month|quarter|Q[1-4]|an?\s))",
    re.I,
)
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
PERCENT_RANGE = re.compile(
    rf"\bbetween\s+({NUM})\s?(?:%|per ?cent)?\s+and\s+({NUM})\s?(?:%|per ?cent\b)"
    rf"|(?<![\d.,\-–])({NUM})%?(?:–|—|-|\s[–—]\s)({NUM})\s?(?:%|per ?cent\b)",
    re.I,
)
COUNT_RANGE = re.compile(rf"\bbetween\s+({NUM})\s+and\s+({NUM})\b(?![\d%/]|[.,]\d)", re.I)
YEARISH = re.compile(r"(?:19|20)\d{2}")
FOOTNOTE = re.compile(
    r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[(?:note\s*)?\d{1,2}\]|\(\s*(?:see\s+)?(?:foot)?notes?\s+\d{1,2}\s*\)", re.I
)


def blank_footnotes(text: str) -> str:
    """The text with footnote markers turned to spaces, so every offset stays where it was."""
    return FOOTNOTE.sub(lambda m: " " * len(m.group(0)), text)


def words_value(words: str) -> int | None:
    """'two hundred and twenty-one' -> 221; None for words that are not one number."""
    total = current = 0
    seen = False
    for token in re.split(r"[\s-]+", words.lower()):
        if token == "and":
            continue
        if token in UNIT_WORDS or token in TENS_WORDS:
            current += UNIT_WORDS.get(token, TENS_WORDS.get(token, 0))
        elif token == "hundred":
            current = (current or 1) * 100
        elif token == "thousand":
            total, current = total + (current or 1) * 1000, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def count_value(token: str) -> int | None:
    """A digit string or number words as a whole number."""
    return int(token) if token.isdigit() else words_value(token)


def fraction_percent(m: re.Match) -> tuple[Decimal, Decimal] | None:
    """(percentage, tolerance) for "eight in ten", "one in every three", "a third", "two thirds".

    The tolerance is half a step of the fraction's own denominator, at most 5 points: "eight
    in ten" allows 75–85%, "a third" 28.3–38.3%, "1 in 100" 0.5–1.5%.
    """
    if m.re is FRACTION and m.group(3):  # "half of all calls"
        top, bottom = 1, 2
    elif m.re is FRACTION:
        top = 1 if m.group(1).lower() in ("a", "an") else count_value(m.group(1))
        bottom = FRACTION_NAMES[m.group(2).lower()]
    else:
        top, bottom = count_value(m.group(1)), count_value(m.group(2))
    if not top or not bottom or top > bottom or bottom < 2:
        return None
    share = Decimal(top * 100) / Decimal(bottom)
    return share.quantize(Decimal("0.01")), min(Decimal(5), Decimal(50) / bottom)
