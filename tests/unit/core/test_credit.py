from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.credit import CreditInputs, decide_credit

D = Decimal


def inputs(**overrides):
    base = dict(
        credit_limit=D("10000.00"),
        open_balance=D("4000.00"),
        uninvoiced_orders=D("1000.00"),
        order_amount=D("2000.00"),
        on_hold=False,
        oldest_overdue_days=0,
        oldest_overdue_invoice=None,
        overdue_amount=D("0.00"),
    )
    base.update(overrides)
    return CreditInputs(**base)


def test_approves_within_limit_and_reports_available_credit():
    d = decide_credit(inputs())
    assert d.approved and d.decision == "approve" and d.reasons == ()
    assert d.exposure == D("7000.00")
    assert d.limit == D("10000.00")
    assert d.available_before == D("5000.00")  # 10,000 − (4,000 + 1,000)
    assert d.available_after == D("3000.00")


def test_exposure_equal_to_limit_is_approved():
    assert decide_credit(inputs(order_amount=D("5000.00"))).approved


def test_over_limit_alone():
    d = decide_credit(inputs(order_amount=D("7500.00")))
    assert d.decision == "hold" and not d.approved
    assert [r.code for r in d.reasons] == ["over_limit"]
    assert d.reasons[0].message == (
        "exposure 12,500.00 would exceed the credit limit 10,000.00 by 2,500.00"
    )
    assert d.available_after == D("-2500.00")


def test_on_hold_alone():
    d = decide_credit(inputs(on_hold=True))
    assert [(r.code, r.message) for r in d.reasons] == [("on_hold", "the customer is on credit hold")]


def test_overdue_alone_and_the_boundary():
    assert decide_credit(inputs(oldest_overdue_days=30, oldest_overdue_invoice="INV-2026-00012")).approved
    d = decide_credit(
        inputs(oldest_overdue_days=45, oldest_overdue_invoice="INV-2026-00012", overdue_amount=D("900"))
    )
    assert [(r.code, r.message) for r in d.reasons] == [
        ("overdue", "INV-2026-00012 is 45 days past due (more than 30 allowed)")
    ]


def test_overdue_threshold_is_a_parameter():
    d = decide_credit(inputs(oldest_overdue_days=10, oldest_overdue_invoice="INV-2026-00001"), 7)
    assert d.reasons[0].message == "INV-2026-00001 is 10 days past due (more than 7 allowed)"
    d = decide_credit(inputs(oldest_overdue_days=1, oldest_overdue_invoice="INV-2026-00001"), 0)
    assert d.reasons[0].message == "INV-2026-00001 is 1 day past due (more than 0 allowed)"


def test_all_reasons_together():
    d = decide_credit(
        inputs(
            order_amount=D("7500.00"),
            on_hold=True,
            oldest_overdue_days=45,
            oldest_overdue_invoice="INV-2026-00012",
        )
    )
    assert d.decision == "hold"
    assert [r.code for r in d.reasons] == ["over_limit", "on_hold", "overdue"]


amounts = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2))


@given(amounts, amounts, amounts, amounts, st.booleans(), st.integers(0, 400))
def test_exposure_and_available_credit_add_up(limit, open_, uninvoiced, order, hold, days):
    d = decide_credit(inputs(credit_limit=limit, open_balance=open_, uninvoiced_orders=uninvoiced,
                             order_amount=order, on_hold=hold, oldest_overdue_days=days))
    assert d.exposure == open_ + uninvoiced + order
    assert d.available_before - order == d.available_after
    assert d.approved == (d.exposure <= limit and not hold and days <= 30)
    assert all(isinstance(v, Decimal) for v in (d.exposure, d.available_before, d.available_after))
