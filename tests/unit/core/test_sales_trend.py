from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.sales_trend import days_of_cover, forecast_months


def test_a_steady_product_is_forecast_at_its_level():
    assert forecast_months([10] * 12) == [Decimal("10.0")] * 3


def test_a_growing_product_is_forecast_above_its_recent_average_and_rising():
    nxt = forecast_months(list(range(10, 130, 10)))  # 10, 20, ... 120
    assert Decimal(110) < nxt[0] < nxt[1] < nxt[2]


def test_a_product_that_stopped_selling_is_not_forecast_below_zero():
    assert forecast_months([100, 90, 80, 60, 40, 20, 10, 0, 0, 0, 0, 0]) == [Decimal("0.0")] * 3


def test_a_short_history_is_its_average():
    assert forecast_months([4, 8], months=2) == [Decimal("6.0"), Decimal("6.0")]
    assert forecast_months([], months=3) == [Decimal("0.0")] * 3


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_the_forecast_is_never_negative(history):
    assert all(v >= 0 for v in forecast_months(history))


def test_days_of_cover_counts_what_open_orders_hold():
    assert days_of_cover(100, 40, Decimal("30.4")) == Decimal("60.0")
    assert days_of_cover(10, 10, Decimal(5)) == Decimal(0)
    assert days_of_cover(10, 0, Decimal(0)) is None
    assert days_of_cover(0, 0, Decimal(0)) is None  # out of stock and not selling: nothing runs out
