"""Numbers written for people: at most six significant digits, and no 300-digit costs.

``number(1e300)`` is ``1e+300``, ``number(float("nan"))`` says what it is; percentages,
counts and durations likewise. Every number the page shows goes through here.
"""

import math

DIGITS = 6


def number(value: float | None, digits: int = DIGITS) -> str:
    """``value`` with at most ``digits`` significant digits; ``–`` for None; ``nan`` and
    ``inf`` spelled out."""
    if value is None:
        return "–"
    if math.isnan(value):
        return "nan (not a number)"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal (``93.3%``); ``–`` for None."""
    return "–" if value is None else f"{value:.1%}"


def duration(seconds: float) -> str:
    """A duration a person reads at a glance: ``45 ms``, ``1.2 s``, ``6 s``, ``2 min``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
