"""A product's units a month, on both databases: what ships and is invoiced counts in its month, once per
shipment; a cancelled or unshipped order does not; a return takes its units back; a rep sees their book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.sales_trend import forecast_months
from db.reports import Scope
from tests.conftest import DEMO_NOW
from tools.sales_trend import product_trends

TODAY = DEMO_NOW.date()
SKU = "WIDGET-1"


def run(tally, actor, tool, args):
    proposal = tally.propose(actor, tool, args)
    outcome = tally.confirm(actor, proposal.pending_id)
    assert outcome.status == "done", outcome.error
    return outcome.result


def trend(db, sku=SKU, end=TODAY, **kw):
    with db.session() as s:
        return product_trends(s, end, [sku], **kw)[sku]


def order(tally, actor, quantity: int) -> str:
    result = run(tally, actor, "create_order", {"customer": "ACME", "lines": [{"sku": SKU, "quantity": quantity}]})
    assert result.order.status == "confirmed"
    return result.order.number


def test_twelve_calendar_months_ending_with_the_month_asked(db):
    t = trend(db)
    assert t.months == [date(2025, 12, 1), *(date(2026, m, 1) for m in range(1, 12))]
    assert len(t.quantities) == len(t.revenue) == 12 and len(t.forecast) == 3
    assert sum(t.quantities) > 0 and t.partial_last_month  # the demo has sold widgets; the 24th is not month end
    assert trend(db, end=date(2026, 10, 31)).months[-1] == date(2026, 10, 1)
    assert not trend(db, end=date(2026, 10, 31)).partial_last_month


def test_a_partly_shipped_order_counts_each_shipment_once_and_a_cancelled_one_not_at_all(tally, db, actors):
    manager = actors["U0MGR1"]
    before = trend(db)
    summary_before = tally.read(manager, "sales_summary", {"period": "this-month", "group_by": "product"})
    shipped = order(tally, manager, 7)
    run(tally, manager, "ship_order", {"order_number": shipped, "lines": [{"sku": SKU, "quantity": 3}]})
    run(tally, manager, "ship_order", {"order_number": shipped})  # the other 4: a second invoice
    cancelled = order(tally, manager, 50)
    run(tally, manager, "cancel_order", {"order_number": cancelled, "reason": "customer changed their mind"})
    order(tally, manager, 20)  # confirmed, not shipped: not sold yet
    after = trend(db)
    assert after.quantities[:-1] == before.quantities[:-1]
    assert after.quantities[-1] == before.quantities[-1] + 7
    assert after.revenue[-1] == before.revenue[-1] + 7 * Decimal("12.50")
    summary = tally.read(manager, "sales_summary", {"period": "this-month", "group_by": "product"})
    line = {r.key: r for r in summary.rows}[SKU]
    old = {r.key: r for r in summary_before.rows}.get(SKU)
    assert line.quantity == (old.quantity if old else 0) + 7  # the sales table counts it once too
    assert line.trend is not None and line.trend.quantities == after.quantities


def test_a_return_takes_its_units_back_in_the_month_of_its_credit_note(tally, db, actors):
    manager = actors["U0MGR1"]
    number = order(tally, manager, 10)
    shipment = run(tally, manager, "ship_order", {"order_number": number})
    before = trend(db)
    run(tally, manager, "return_goods", {"invoice_number": shipment.invoice.number, "quantity": 4, "sku": SKU,
                                         "reason": "damaged"})
    after = trend(db)
    assert after.quantities[-1] == before.quantities[-1] - 4
    assert after.revenue[-1] == before.revenue[-1] - 4 * Decimal("12.50")


def test_the_months_of_this_year_add_up_to_the_sales_summary(tally, actors, db):
    summary = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "product"})
    with db.session() as s:
        trends = product_trends(s, TODAY)
    for line in summary.rows:
        this_year = [q for m, q in zip(trends[line.key].months, trends[line.key].quantities, strict=True)
                     if m.year == TODAY.year]
        assert sum(this_year) == line.quantity, line.key  # the demo has no returns
        assert line.trend == trends[line.key]


def test_every_product_asked_for_has_a_trend_and_one_that_never_sold_has_zeros(db):
    with db.session() as s:
        asked = product_trends(s, TODAY, ["SPROCKET-9", SKU, "NO-SUCH-SKU"])
        sold = product_trends(s, TODAY)
    assert set(asked) == {"SPROCKET-9", SKU}
    assert asked["SPROCKET-9"].quantities == [0] * 12 and asked["SPROCKET-9"].forecast == [Decimal("0.0")] * 3
    assert "SPROCKET-9" not in sold and sold[SKU] == asked[SKU]


def test_the_forecast_reads_whole_months_or_the_pace_of_the_month_under_way(db):
    whole = trend(db, end=date(2026, 10, 31))
    assert whole.forecast == forecast_months(whole.quantities)
    early = trend(db, end=date(2026, 11, 10), months=12)
    thirteen = trend(db, end=date(2026, 11, 10), months=13)  # one month more, to read the whole months from
    assert early.forecast == forecast_months(thirteen.quantities[:-1], 4)[1:]
    late = trend(db, end=date(2026, 11, 20))
    assert late.forecast == forecast_months([*late.quantities[:-1], Decimal(late.quantities[-1]) * 30 / 20])


def test_a_rep_sees_the_trend_of_their_own_customers(tally, actors, db):
    with db.session() as s:
        everyone = product_trends(s, TODAY)[SKU]
        reps = [product_trends(s, TODAY, [SKU], scope=Scope(owner_rep=rep))[SKU]
                for rep in ("U0SALES1", "U0SALES2", "U0SALES3")]
    assert [sum(month) for month in zip(*(r.quantities for r in reps), strict=True)] == everyone.quantities
    mine = tally.read(actors["U0SALES1"], "sales_summary", {"period": "this-year", "group_by": "product"})
    line = {r.key: r for r in mine.rows}[SKU]
    assert line.trend.quantities == reps[0].quantities
