"""Collection metrics: DSO (simple, countback, best possible), average days delinquent and CEI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.errors import InvalidInput
from core.money import ratio

_DAYS = Decimal("0.1")


def simple_dso(ending_ar: Decimal, credit_sales: Decimal, days: int) -> Decimal:
    """Ending AR ÷ credit sales × days, one place; 0.0 when there were no sales."""
    return ratio(Decimal(ending_ar) * days, Decimal(credit_sales))


def countback_dso(ending_ar: Decimal, monthly_sales: Sequence[tuple[int, Decimal]]) -> Decimal:
    """Days of recent sales that the AR represents, walking back month by month.

    `monthly_sales` is (days_in_month, sales), most recent month first. Whole months are
    subtracted while the AR left exceeds their sales; the last month counts by fraction. When
    the AR exceeds the sales of every month given, the answer is all their days: the history
    is too short to say more, and extrapolating past it would be a guess.
    """
    remaining = Decimal(ending_ar)
    days = Decimal(0)
    for month_days, sales in monthly_sales:
        if remaining <= 0:
            break
        sales = Decimal(sales)
        if remaining > sales:
            remaining -= sales
            days += month_days
        else:
            days += remaining / sales * month_days
            remaining = Decimal(0)
    return days.quantize(_DAYS, rounding=ROUND_HALF_UP)


def best_possible_dso(current_ar: Decimal, credit_sales: Decimal, days: int) -> Decimal:
    """DSO if every customer paid on the due date: current (not yet due) AR ÷ credit sales × days."""
    return simple_dso(current_ar, credit_sales, days)


def average_days_delinquent(dso: Decimal, best_dso: Decimal) -> Decimal:
    """How many days, on average, customers pay beyond terms: DSO − best possible DSO."""
    return (Decimal(dso) - Decimal(best_dso)).quantize(_DAYS, rounding=ROUND_HALF_UP)


def cei(
    opening_ar: Decimal, credit_sales: Decimal, ending_total_ar: Decimal, ending_current_ar: Decimal
) -> Decimal:
    """Collection effectiveness index in percent, one place; 0.0 when there was nothing to collect."""
    collectable = Decimal(opening_ar) + Decimal(credit_sales)
    return ratio(
        (collectable - Decimal(ending_total_ar)) * 100,
        collectable - Decimal(ending_current_ar),
    )


def days_in_period(start: date, end: date) -> int:
    """Days from start to end, both included."""
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return (end - start).days + 1
