"""Payment behaviour from history: on-time share, days late, a grade A–E, and when an open invoice will
be paid.

The expected pay date uses signed lateness (an early payer is early), counts recent invoices more than
old ones, leans on the whole portfolio's behaviour while a history is thin, and looks at the invoice
itself: an amount well above the customer's usual, a dispute, a promise. An invoice already past its
expected date is expected later still, as its customer's late invoices went, never "today"."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

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


# What is owed now caps the grade, whatever the history: an invoice this many days overdue makes a
# customer at best this grade.
OVERDUE_CAPS: tuple[tuple[int, str], ...] = ((180, "E"), (90, "D"), (45, "C"))


def risk_grade(stats: PaymentStats, oldest_overdue_days: int = 0) -> str:
    """A (pays on time) to E (pays late or rarely on time); both conditions must hold for a grade. A
    customer with an invoice long overdue now is graded no better than its age allows."""
    grade = NO_HISTORY_GRADE if stats.paid_count == 0 else next(
        (g for g, min_on_time, max_days_late in GRADE_THRESHOLDS
         if stats.on_time_share >= min_on_time and stats.avg_days_late <= max_days_late), "E")
    cap = next((c for days, c in OVERDUE_CAPS if oldest_overdue_days > days), "A")
    return max(grade, cap)  # letters sort best first


Settled = tuple[date, date, date, object]  # (issue_date, due_date, paid_on, amount)

PORTFOLIO_LATENESS = 8.0  # days after due the typical customer pays, when nothing better is known
HALF_LIFE_DAYS = 240  # an invoice this much older than the one predicted counts half as much
PRIOR_WEIGHT = 0.5  # how many invoices' worth of evidence the portfolio's behaviour is worth
CLIP = (-60, 240)  # one wild payment (a lost cheque, a year-long dispute) moves the estimate this far at most
DISPUTE_DAYS = 30  # a disputed invoice waits for the dispute to close
MIN_WAIT = 7  # an invoice past its expected date is not expected sooner than this from today


def _weights(history: Sequence[Settled], issue_date: date) -> list[float]:
    return [0.5 ** (max(0, (issue_date - issued).days) / HALF_LIFE_DAYS) for issued, *_ in history]


def _lateness(row: Settled) -> float:
    _, due, paid, _ = row
    return float(min(max((paid - due).days, CLIP[0]), CLIP[1]))


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs = sorted(pairs, key=lambda p: p[1])
    half, seen = sum(w for w, _ in pairs) / 2, 0.0
    for weight, value in pairs:
        seen += weight
        if seen >= half:
            return value
    return pairs[-1][1]


def expected_lateness(history: Sequence[Settled], issue_date: date, due_date: date | None = None,
                      portfolio: float = PORTFOLIO_LATENESS) -> float:
    """Days after due this customer pays: the recency-weighted median of signed lateness (one wild
    payment does not move it), following a trend when the recent invoices drift, with the same
    calendar month's habit where it shows, shrunk toward the portfolio's by how much history there is."""
    if not history:
        return portfolio
    due_date = due_date or issue_date
    weights = _weights(history, issue_date)
    late = [_lateness(r) for r in history]
    usual = [(w, x) for w, x, r in zip(weights, late, history, strict=True) if r[1].month != due_date.month]
    trend = _trend(history, late, issue_date)
    base = trend if trend is not None else _weighted_median(usual or list(zip(weights, late, strict=True)))
    same_month = [x for x, r in zip(late, history, strict=True) if r[1].month == due_date.month]
    if same_month and usual:  # a seasonal habit (slow in December) counts once it has shown
        base += (statistics.median(same_month) - base) * len(same_month) / (len(same_month) + 1)
    evidence = sum(weights)
    return (evidence * base + PRIOR_WEIGHT * portfolio) / (evidence + PRIOR_WEIGHT)


def _trend(history: Sequence[Settled], late: list[float], issue_date: date) -> float | None:
    """The lateness a steady drift (a customer paying later and later) reaches by `issue_date`, from a
    least-squares line through the last twelve invoices; None for a short history or one without drift."""
    recent = sorted(zip((r[0] for r in history), late, strict=True))[-12:]
    if len(recent) < 6:
        return None
    xs = [(d - recent[-1][0]).days for d, _ in recent]
    ys = [y for _, y in recent]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    if not spread:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread
    fitted = my + slope * ((issue_date - recent[-1][0]).days - mx)
    squares = sum((y - (my + slope * (x - mx))) ** 2 for x, y in zip(xs, ys, strict=True))
    steady = abs(slope) > 2.5 * math.sqrt(squares / (len(xs) - 2) / spread)  # a slope well clear of the noise
    return fitted if steady else None


def _usual_amount(history: Sequence[Settled]) -> float | None:
    amounts = sorted(float(a) for *_, a in history if a is not None and float(a) > 0)
    return amounts[len(amounts) // 2] if amounts else None


def expected_pay_date(history: Iterable[Settled], *, issue_date: date, due_date: date, amount: object,
                      today: date, disputed: bool = False, promised_on: date | None = None,
                      portfolio: float = PORTFOLIO_LATENESS) -> date:
    """The date an open invoice is expected to be paid, from the customer's earlier settled invoices
    as (issue_date, due_date, paid_on, amount). Never before the issue date, nor before today."""
    earlier = [r for r in history if r[2] <= max(today, issue_date)]
    days = expected_lateness(earlier, issue_date, due_date, portfolio)
    usual = _usual_amount(earlier)
    if usual and amount is not None and float(amount) > 1.5 * usual:  # a big invoice takes longer to approve
        days += min(10.0, 3 * math.log2(float(amount) / usual))
    if disputed:
        days += DISPUTE_DAYS
    expected = due_date + timedelta(days=round(days))
    if promised_on is not None and promised_on >= today and not disputed:
        expected = promised_on
    if expected < today:  # already later than expected: when do this customer's late invoices come in?
        expected = today + timedelta(days=_further_wait(earlier, (today - due_date).days))
    return max(expected, issue_date, today)


def _further_wait(history: Sequence[Settled], days_overdue: int) -> int:
    """Days from today to payment for an invoice `days_overdue` late: the customer's invoices that were
    at least this late took on average this much longer; without such, a quarter of the lateness so far."""
    later = [_lateness(r) - days_overdue for r in history if _lateness(r) > days_overdue]
    if later:
        return max(MIN_WAIT, round(sum(later) / len(later)))
    return max(MIN_WAIT, min(120, round(0.25 * max(days_overdue, 0))))
