"""Payment behaviour from history: on-time share, days late, a grade A–E and a predicted pay date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.money import ratio


@dataclass(frozen=True)
class PaymentStats:
    paid_count: int
    on_time_share: Decimal  # 0..1, two places
    avg_days_late: Decimal  # one place; early payments count as 0 days late


# (grade, minimum on-time share, maximum average days late), best first; anything below is "E".
GRADE_THRESHOLDS: tuple[tuple[str, Decimal, Decimal], ...] = (
    ("A", Decimal("0.90"), Decimal("3")),
    ("B", Decimal("0.75"), Decimal("10")),
    ("C", Decimal("0.50"), Decimal("20")),
    ("D", Decimal("0.25"), Decimal("45")),
)
NO_HISTORY_GRADE = "C"  # a new customer is neither trusted nor suspected


def payment_stats(history: Iterable[tuple[date, date]]) -> PaymentStats:
    """Summarise (due_date, paid_on) pairs of paid invoices."""
    count = on_time = late_days = 0
    for due_date, paid_on in history:
        count += 1
        late = (paid_on - due_date).days
        if late <= 0:
            on_time += 1
        else:
            late_days += late
    return PaymentStats(
        paid_count=count,
        on_time_share=ratio(Decimal(on_time), Decimal(count), "0.01"),
        avg_days_late=ratio(Decimal(late_days), Decimal(count), "0.1"),
    )


def risk_grade(stats: PaymentStats) -> str:
    """A (pays on time) to E (pays late or rarely on time); both conditions must hold for a grade."""
    if stats.paid_count == 0:
        return NO_HISTORY_GRADE
    for grade, min_on_time, max_days_late in GRADE_THRESHOLDS:
        if stats.on_time_share >= min_on_time and stats.avg_days_late <= max_days_late:
            return grade
    return "E"


def predict_pay_date(due_date: date, stats: PaymentStats, today: date) -> date:
    """Due date plus the customer's average lateness, never in the past."""
    days = int(stats.avg_days_late.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(due_date + timedelta(days=days), today)
