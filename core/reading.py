"""Unusual reading: a day on which someone views far more documents than they usually do.

A day is unusual when its views exceed both `MULTIPLE` times the person's own daily median over the
`HISTORY_DAYS` days before it (days without a view count as 0, so an occasional reader's median is
low) and a floor, so that a quiet person's busy morning does not alert anyone."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

HISTORY_DAYS = 30
MULTIPLE = 3
DEFAULT_FLOOR = 50


def daily_median(views_by_day: dict[date, int], day: date, history_days: int = HISTORY_DAYS) -> Decimal:
    """The median of the views on each of the `history_days` days before `day`."""
    counts = sorted(views_by_day.get(day - timedelta(days=back), 0) for back in range(1, history_days + 1))
    middle = len(counts) // 2
    if len(counts) % 2:
        return Decimal(counts[middle])
    return (Decimal(counts[middle - 1]) + Decimal(counts[middle])) / 2


def alert_above(median: Decimal, floor: int) -> Decimal:
    """How many views a day may have before it is unusual: an alert needs more than this."""
    return max(MULTIPLE * median, Decimal(floor))


def is_unusual(views: int, median: Decimal, floor: int) -> bool:
    return views > alert_above(median, floor)
