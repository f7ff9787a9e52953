"""Receivables ageing by due date: which bucket each open balance falls in, as of a date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import ZERO, money

BUCKETS = ("current", "1-30", "31-60", "61-90", "91+")
BUCKET_LABELS = {
    "current": "Current",
    "1-30": "1–30",
    "31-60": "31–60",
    "61-90": "61–90",
    "91+": "91+",
}


def days_past_due(due_date: date, as_of: date) -> int:
    """Days since the due date; zero on the due date and negative while not yet due."""
    return (as_of - due_date).days


def bucket_for(days_past_due: int) -> str:
    """The bucket key for a number of days past due (zero or less is 'current')."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "91+"


def age_items(items: Iterable[tuple[date, Decimal]], as_of: date) -> dict[str, Decimal]:
    """Sum (due_date, balance) pairs into every bucket; the buckets add up to the total outstanding.

    Each balance is rounded to cents before it is added, so the sum of the buckets is exactly the
    sum of the rounded balances (credits, i.e. negative balances, age like any other).
    """
    buckets = {key: ZERO for key in BUCKETS}
    for due_date, balance in items:
        amount = money(balance)
        if amount:
            key = bucket_for(days_past_due(due_date, as_of))
            buckets[key] += amount
    return buckets


@dataclass(frozen=True)
class AgeingRow:
    """One line of an ageing report: a customer, a rep or the total."""

    label: str
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return money(sum((self.buckets.get(key, ZERO) for key in BUCKETS), ZERO))


def total_row(rows: Iterable[AgeingRow], label: str = "Total") -> AgeingRow:
    """Add rows bucket by bucket."""
    sums = {key: ZERO for key in BUCKETS}
    for row in rows:
        for key in BUCKETS:
            sums[key] += row.buckets.get(key, ZERO)
    return AgeingRow(label, sums)
