from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.risk import PaymentStats, payment_stats, risk_grade

DUE = date(2026, 3, 1)


def paid(days_late):
    return (DUE, DUE + timedelta(days=days_late))


def test_stats_count_early_payments_as_zero_days_late():
    # 4 invoices: 5 days early, on the day, 3 late, 10 late → on time 2/4; late days (0+0+3+10)/4 = 3.25
    stats = payment_stats([paid(-5), paid(0), paid(3), paid(10)])
    assert stats == PaymentStats(4, Decimal("0.50"), Decimal("3.3"))


def test_no_history():
    stats = payment_stats([])
    assert stats == PaymentStats(0, Decimal("0.00"), Decimal("0.0"))
    assert risk_grade(stats) == "C"


def test_shares_round_to_two_places():
    # 2 of 3 on time = 0.666… → 0.67; 1 day late over 3 invoices = 0.33… → 0.3
    assert payment_stats([paid(0), paid(0), paid(1)]) == PaymentStats(3, Decimal("0.67"), Decimal("0.3"))


@pytest.mark.parametrize(
    ("on_time", "avg", "grade"),
    [
        ("1.00", "0", "A"),
        ("0.90", "3", "A"),
        ("0.90", "3.1", "B"),  # both conditions must hold
        ("0.89", "0", "B"),
        ("0.75", "10", "B"),
        ("0.74", "0", "C"),
        ("0.50", "20", "C"),
        ("0.95", "20.1", "D"),
        ("0.25", "45", "D"),
        ("0.24", "0", "E"),
        ("1.00", "45.1", "E"),
    ],
)
def test_grade_thresholds(on_time, avg, grade):
    assert risk_grade(PaymentStats(10, Decimal(on_time), Decimal(avg))) == grade


@given(st.lists(st.integers(-60, 200), max_size=50))
def test_stats_stay_decimal_and_in_range(lateness):
    stats = payment_stats([paid(d) for d in lateness])
    assert isinstance(stats.on_time_share, Decimal) and isinstance(stats.avg_days_late, Decimal)
    assert Decimal(0) <= stats.on_time_share <= Decimal(1)
    assert stats.avg_days_late >= 0
    assert risk_grade(stats) in "ABCDE"


def test_what_is_owed_now_caps_the_grade():
    steady = PaymentStats(20, Decimal("1.00"), Decimal("0"))
    assert [risk_grade(steady, days) for days in (0, 30, 60, 120, 283)] == ["A", "A", "C", "D", "E"]
    assert risk_grade(PaymentStats(0, Decimal(0), Decimal(0)), 283) == "E"  # no history, a 283-day debt
