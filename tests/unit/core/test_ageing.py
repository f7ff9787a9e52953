from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ageing import (
    BUCKET_LABELS,
    BUCKETS,
    AgeingRow,
    age_items,
    bucket_for,
    days_past_due,
    total_row,
)

AS_OF = date(2026, 6, 30)


def test_labels_cover_every_bucket_in_order():
    assert list(BUCKET_LABELS) == list(BUCKETS)
    assert BUCKET_LABELS["1-30"] == "1–30"


def test_days_past_due_is_negative_before_the_due_date():
    assert days_past_due(date(2026, 7, 3), AS_OF) == -3
    assert days_past_due(AS_OF, AS_OF) == 0
    assert days_past_due(date(2026, 6, 1), AS_OF) == 29


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-10, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (400, "91+"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert bucket_for(days) == bucket


def test_age_items_fills_every_bucket_and_skips_zero_balances():
    items = [
        (AS_OF + timedelta(days=5), Decimal("100.00")),  # not yet due
        (AS_OF, Decimal("50.00")),  # due today: still current
        (AS_OF - timedelta(days=1), Decimal("10.00")),
        (AS_OF - timedelta(days=30), Decimal("20.00")),
        (AS_OF - timedelta(days=31), Decimal("30.00")),
        (AS_OF - timedelta(days=91), Decimal("40.00")),
        (AS_OF - timedelta(days=200), Decimal("0.00")),  # paid: ignored
    ]
    assert age_items(items, AS_OF) == {
        "current": Decimal("150.00"),
        "1-30": Decimal("30.00"),
        "31-60": Decimal("30.00"),
        "61-90": Decimal("0.00"),
        "91+": Decimal("40.00"),
    }


def test_age_items_of_nothing_is_all_zero():
    assert age_items([], AS_OF) == dict.fromkeys(BUCKETS, Decimal("0.00"))


def test_row_total_and_total_row():
    a = AgeingRow("ACME", age_items([(AS_OF, Decimal("10.00"))], AS_OF))
    b = AgeingRow("GLOBEX", age_items([(AS_OF - timedelta(days=45), Decimal("5.50"))], AS_OF))
    total = total_row([a, b])
    assert total.label == "Total"
    assert total.buckets["current"] == Decimal("10.00")
    assert total.buckets["31-60"] == Decimal("5.50")
    assert total.total == a.total + b.total == Decimal("15.50")
    assert total_row([], label="All").total == Decimal("0.00")


cents = st.integers(min_value=-10**9, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))
items_strategy = st.lists(st.tuples(st.dates(date(2020, 1, 1), date(2030, 12, 31)), cents), max_size=40)


@given(items_strategy, st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_buckets_sum_exactly_to_the_outstanding_total(items, as_of):
    buckets = age_items(items, as_of)
    assert list(buckets) == list(BUCKETS)
    assert all(isinstance(v, Decimal) for v in buckets.values())
    assert sum(buckets.values()) == sum((b for _, b in items), Decimal(0))
    assert AgeingRow("x", buckets).total == sum((b for _, b in items), Decimal(0))
