from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.metrics import (
    average_days_delinquent,
    best_possible_dso,
    cei,
    countback_dso,
    days_in_period,
    simple_dso,
)

D = Decimal


def test_simple_dso():
    # 150,000 AR ÷ 270,000 sales × 90 days = 50.0
    assert simple_dso(D("150000"), D("270000"), 90) == D("50.0")
    # 100,000 ÷ 300,000 × 31 = 10.333… → 10.3
    assert simple_dso(D("100000"), D("300000"), 31) == D("10.3")


def test_simple_dso_without_sales_is_zero():
    assert simple_dso(D("5000"), D("0"), 30) == D("0.0")


def test_countback_worked_example():
    # 212,000 − 100,000 (30 days) = 112,000; − 80,000 (30 days) = 32,000;
    # 32,000 ÷ 70,000 × 30 = 13.714… days → 30 + 30 + 13.7 = 73.7
    months = [(30, D("100000")), (30, D("80000")), (30, D("70000"))]
    assert countback_dso(D("212000"), months) == D("73.7")


def test_countback_within_the_first_month():
    # 15,500 ÷ 31,000 × 31 = 15.5
    assert countback_dso(D("15500"), [(31, D("31000")), (30, D("1"))]) == D("15.5")


def test_countback_exactly_one_month_of_sales():
    assert countback_dso(D("100000"), [(30, D("100000")), (31, D("5"))]) == D("30.0")


def test_countback_when_ar_exceeds_all_sales_counts_every_day_given():
    # 500,000 is more than 100,000 + 80,000 + 70,000: the answer is the 31 + 30 + 31 days shown
    months = [(31, D("100000")), (30, D("80000")), (31, D("70000"))]
    assert countback_dso(D("500000"), months) == D("92.0")


def test_countback_skips_months_without_sales_and_handles_no_ar():
    assert countback_dso(D("10000"), [(30, D("0")), (31, D("31000"))]) == D("40.0")
    assert countback_dso(D("0"), [(30, D("100"))]) == D("0.0")
    assert countback_dso(D("100"), []) == D("0.0")


def test_best_possible_dso_and_average_days_delinquent():
    # current AR 60,000 ÷ 270,000 × 90 = 20.0; DSO 50.0 − 20.0 = 30.0 days beyond terms
    best = best_possible_dso(D("60000"), D("270000"), 90)
    assert best == D("20.0")
    assert average_days_delinquent(D("50.0"), best) == D("30.0")
    assert best_possible_dso(D("1"), D("0"), 30) == D("0.0")


def test_cei_worked_example():
    # (100,000 + 300,000 − 120,000) ÷ (100,000 + 300,000 − 40,000) × 100 = 280 ÷ 360 = 77.777… → 77.8
    assert cei(D("100000"), D("300000"), D("120000"), D("40000")) == D("77.8")
    # everything collected, nothing left → 100.0
    assert cei(D("1000"), D("0"), D("0"), D("0")) == D("100.0")


def test_cei_with_nothing_to_collect_is_zero():
    assert cei(D("0"), D("0"), D("0"), D("0")) == D("0.0")
    assert cei(D("500"), D("500"), D("1000"), D("1000")) == D("0.0")


def test_days_in_period_counts_both_ends():
    assert days_in_period(date(2026, 1, 1), date(2026, 1, 31)) == 31
    assert days_in_period(date(2026, 1, 1), date(2026, 1, 1)) == 1
    assert days_in_period(date(2026, 1, 1), date(2026, 12, 31)) == 365
    with pytest.raises(InvalidInput):
        days_in_period(date(2026, 2, 1), date(2026, 1, 31))


amounts = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))


@given(amounts, st.lists(st.tuples(st.integers(28, 31), amounts), max_size=24))
def test_countback_is_decimal_and_bounded_by_the_days_given(ar, months):
    dso = countback_dso(ar, months)
    assert isinstance(dso, Decimal)
    assert D(0) <= dso <= sum(d for d, _ in months)


@given(amounts, amounts, amounts, amounts)
def test_metrics_stay_decimal(a, b, c, d):
    for value in (simple_dso(a, b, 30), best_possible_dso(c, b, 30), cei(a, b, c, d)):
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -1
