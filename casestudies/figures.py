"""How precisely a measured result is published, and how every page writes a figure.

A contributor's exact figure with its exact months is the easiest thing to match against
the company's own sustainability report, and exact figures let anyone subtract one
aggregate from another to recover a single story's number. So each result is published at
a precision the editor chooses (rounded by default), periods are shown by year unless the
editor asks for months, and every total on the portal is computed from the published
values: no combination of public figures says more than the story pages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import floatformat

EXACT, ROUNDED, BANDED = "exact", "rounded", "banded"
PRECISIONS = [
    (ROUNDED, "Rounded to two significant figures (412,345 is shown as 410,000)"),
    (BANDED, "As a range (412,345 is shown as 200,000–500,000)"),
    (EXACT, "Exact (only when the figure cannot be matched to a company's own reports)"),
]
YEARS, MONTHS = "years", "months"
PERIOD_DETAILS = [(YEARS, "Years only (2022–2023)"), (MONTHS, "Months (Mar 2022 – Jun 2023)")]

SIGNIFICANT_FIGURES = 2
# Band edges per decade: 1–2, 2–5, 5–10 (times a power of ten).
BAND_STEPS = (Decimal(1), Decimal(2), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class Band:
    """A published range: the value is at least ``low`` and below ``high``."""

    low: Decimal
    high: Decimal

    def __str__(self) -> str:
        return f"{format_figure(self.low)}–{format_figure(self.high)}"


def _plain(value: Decimal) -> Decimal:
    """Without an exponent, so ``str()`` writes 410000 rather than 4.1E+5."""
    return Decimal(format(value, "f"))


def round_significant(value: Decimal, digits: int = SIGNIFICANT_FIGURES) -> Decimal:
    if value == 0:
        return Decimal(0)
    exponent = value.copy_abs().adjusted() - digits + 1
    quantum = Decimal(1).scaleb(exponent)
    return _plain(value.quantize(quantum, rounding=ROUND_HALF_UP).normalize())


def band(value: Decimal) -> Band:
    """The 1–2–5 range that holds ``value`` (negative values get the mirrored range)."""
    magnitude = value.copy_abs()
    if magnitude == 0:
        return Band(Decimal(0), Decimal(0))
    decade = Decimal(1).scaleb(magnitude.adjusted())
    low = high = decade
    for lower, upper in zip(BAND_STEPS, BAND_STEPS[1:], strict=False):
        if magnitude < upper * decade:
            low, high = lower * decade, upper * decade
            break
    low, high = _plain(low.normalize()), _plain(high.normalize())
    if value < 0:
        return Band(-high, -low)
    return Band(low, high)


def publish_number(value: Decimal | None, precision: str) -> Decimal | Band | None:
    """``value`` as the public may see it."""
    if value is None:
        return None
    if precision == EXACT:
        return value
    if precision == BANDED:
        return band(value)
    return round_significant(value)


def published_change(
    baseline: Decimal | None, result: Decimal | None, precision: str
) -> Decimal | None:
    """Shown result minus shown baseline, so the three shown numbers agree; a range has no
    single change. On plain values, for totals over thousands of results."""
    shown_baseline, shown_result = (
        publish_number(baseline, precision),
        publish_number(result, precision),
    )
    if shown_baseline is None or shown_result is None or isinstance(shown_result, Band):
        return None
    return shown_result - shown_baseline


def format_figure(value: Decimal | Band | None) -> str:
    """The one way a figure is written: thousands separators, at most two decimals."""
    if value is None:
        return "—"
    if isinstance(value, Band):
        return str(value)
    places = max(2, -value.normalize().as_tuple().exponent)
    return floatformat(value, f"-{places}g")


def figure_data(value: Decimal | Band | None) -> str:
    """A figure in a download (open data, search results): the published digits as text,
    so none is lost; a range as ``low..high``; empty when there is none."""
    if value is None:
        return ""
    if isinstance(value, Band):
        return f"{value.low}..{value.high}"
    return str(value)
