"""A product's sales trend: the next months' quantities from the last twelve, and how soon stock runs out.

The forecast is a least-squares line through the monthly history, damped toward the recent average so
that one odd month does not tilt a year, and never below zero. Simple on purpose: a manager can check it
by eye against the chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_MONTH = Decimal("30.4")
DAMPING = Decimal("0.5")  # how much of the fitted slope carries into the forecast


def forecast_months(history: Sequence[Decimal | int], months: int = 3) -> list[Decimal]:
    """The next `months` monthly quantities after `history` (oldest month first), one decimal place."""
    values = [Decimal(v) for v in history]
    if not values or months <= 0:
        return [Decimal("0.0")] * max(months, 0)
    recent = values[-3:]
    level = sum(recent, Decimal(0)) / len(recent)
    slope = _slope(values) * DAMPING if len(values) >= 4 else Decimal(0)
    # The line is anchored at the recent average, which sits in the middle of the last (up to) three months.
    middle = (len(recent) - 1) / Decimal(2)
    return [max(Decimal(0), level + slope * (middle + step)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for step in range(1, months + 1)]


def _slope(values: Sequence[Decimal]) -> Decimal:
    n = len(values)
    mean_x = Decimal(n - 1) / 2
    mean_y = sum(values, Decimal(0)) / n
    spread = sum((Decimal(x) - mean_x) ** 2 for x in range(n))
    return sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread


def days_of_cover(on_hand: int, committed: int, monthly: Decimal) -> Decimal | None:
    """Days until stock runs out: what is on hand less what open orders already hold, at `monthly`
    units a month. None when nothing is expected to sell."""
    if monthly <= 0:
        return None
    free = Decimal(on_hand - committed)
    if free <= 0:
        return Decimal(0)
    return (free / monthly * DAYS_PER_MONTH).quantize(Decimal("0.1"), ROUND_HALF_UP)
