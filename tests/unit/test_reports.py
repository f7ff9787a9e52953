from decimal import Decimal

from sqlalchemy import func, select

from core.ageing import BUCKETS
from db.models import Invoice
from tests.conftest import DEMO_NOW


def test_ageing_buckets_add_up_to_the_outstanding_total(tally, db, actors):
    report = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"})
    with db.session() as s:
        outstanding = s.scalar(select(func.sum(Invoice.total - Invoice.paid_amount)).where(
            Invoice.status.in_(("open", "partially_paid"))))
    assert report.total.total == outstanding
    assert sum(report.total.buckets.values()) == outstanding
    for row in report.rows:
        assert sum(row.buckets[b] for b in BUCKETS) == row.total
    assert report.total.buckets["91+"] > 0  # the slow payers have old debt


def test_ageing_as_of_a_past_date_uses_payments_up_to_then(tally, actors):
    now = tally.read(actors["U0MGR1"], "ar_ageing", {})
    past = tally.read(actors["U0MGR1"], "ar_ageing", {"as_of": "2026-06-30"})
    assert past.as_of.isoformat() == "2026-06-30" and past.total.total != now.total.total
    assert sum(past.total.buckets.values()) == past.total.total


def test_collections_summary_is_consistent(tally, actors):
    s = tally.read(actors["U0MGR1"], "collections_summary", {"period": "last-90-days"})
    assert s.ending_ar == s.current_ar + s.overdue_ar
    assert s.credit_sales > 0 and s.countback_dso > 0
    assert s.average_days_delinquent == s.simple_dso - s.best_possible_dso
    assert Decimal(0) < s.cei <= Decimal(100)


def test_sales_summary_by_rep_and_product_agree_on_totals(tally, actors):
    by_rep = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "rep"})
    by_product = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "product"})
    assert by_rep.total.revenue == by_product.total.revenue > 0
    assert by_rep.total.margin == by_rep.total.revenue - by_rep.total.cost
    assert {r.key for r in by_rep.rows} == {"U0SALES1", "U0SALES2", "U0SALES3"}
    assert by_product.start.isoformat() == f"{DEMO_NOW.year}-01-01"
    revenues = [r.revenue for r in by_rep.rows]
    assert revenues == sorted(revenues, reverse=True)


def test_who_owes_the_most_and_who_sold_most_are_the_top_rows(tally, actors):
    manager = actors["U0MGR1"]
    everyone = tally.read(manager, "ar_ageing", {"group_by": "customer"})
    top = tally.read(manager, "ar_ageing", {"group_by": "customer", "top": 1})
    assert [r.key for r in top.rows] == [max(everyone.rows, key=lambda r: r.total).key]
    assert top.total.total == everyone.total.total  # the total is still everyone's
    reps = tally.read(manager, "sales_summary", {"group_by": "rep", "period": "this-year"})
    best = tally.read(manager, "sales_summary", {"group_by": "rep", "period": "this-year", "top": 1})
    assert [r.key for r in best.rows] == [reps.rows[0].key] and best.total == reps.total
