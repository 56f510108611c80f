"""How long a step took, read from what editors wrote ("6 months", "2 weeks", "1 year").

A step's duration is free text in the editor, so a playbook can only compare the ones it
can read: a number (or a word like "one") with a unit of days, weeks, months or years,
possibly several ("1 year and 6 months") or a range ("3-6 months", counted at its middle,
since the step took somewhere in between). Anything else ("ongoing", "a while") is
counted as not given rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER = {
    "day": Decimal(1),
    "week": Decimal(7),
    "month": Decimal("30.44"),
    "year": Decimal("365.25"),
}
WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "half a": Decimal("0.5"),
}
_NUMBER = r"\b(\d+(?:[.,]\d+)?|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + ")"
_AMOUNT = re.compile(
    _NUMBER
    + r"(?:\s*(?:-|–|—|to)\s*"
    + _NUMBER
    + r")?\s*(days?|weeks?|wks?|months?|mos?|years?|yrs?)\b",
    re.IGNORECASE,
)
_UNIT_ALIASES = {"wk": "week", "mo": "month", "yr": "year"}


def _number(text: str) -> Decimal:
    word = text.lower()
    if word in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[word])
    return Decimal(word.replace(",", "."))


def parse_duration(text: str | None) -> Decimal | None:
    """The duration in days, or None when the text gives none we can read."""
    if not text:
        return None
    total = Decimal(0)
    found = False
    for match in _AMOUNT.finditer(text):
        low = _number(match.group(1))
        high = _number(match.group(2)) if match.group(2) else low
        unit = match.group(3).lower().rstrip("s")
        unit = _UNIT_ALIASES.get(unit, unit)
        total += (low + high) / 2 * DAYS_PER[unit]
        found = True
    return total if found and total > 0 else None


@dataclass(frozen=True)
class Duration:
    """A duration as a reader says it: a whole number of days, weeks, months or years."""

    amount: Decimal
    unit: str  # singular or plural, to agree with amount

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


def describe_duration(days: Decimal) -> Duration:
    """``days`` in the unit a person would use: days, weeks (up to two months, unless
    the time is about a whole number of months), months, or whole years."""
    if days < 14:
        amount, unit = _whole(days), "day"
    elif days < 8 * DAYS_PER["week"] and not _about_whole(days / DAYS_PER["month"]):
        amount, unit = _whole(days / DAYS_PER["week"]), "week"
    else:
        months = _whole(days / DAYS_PER["month"])
        if months >= 12 and months % 12 == 0:
            amount, unit = months // 12, "year"
        else:
            amount, unit = months, "month"
    amount = max(amount, Decimal(1))
    return Duration(amount, unit if amount == 1 else f"{unit}s")


def _about_whole(value: Decimal) -> bool:
    """ "1 month" reads better than "4 weeks"; "6 weeks" better than "1 month"."""
    return abs(value - _whole(value)) < Decimal("0.1")


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
