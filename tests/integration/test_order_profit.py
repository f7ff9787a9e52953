"""Per-order profit: an order and an invoice show revenue, cost and margin; sales can be grouped by order."""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select

from bot.console import Console
from db.models import Invoice, SalesOrder
from tests.helpers import order_of


def test_an_order_and_its_invoice_show_revenue_cost_and_margin(tally, db, actors):
    number = order_of(db, "ACME", "shipped").number
    with db.session() as s:
        order = s.scalar(select(SalesOrder).where(SalesOrder.number == number))
        revenue = sum(ln.line_total for ln in order.lines)
        cost = sum(ln.unit_cost * ln.quantity for ln in order.lines)
        invoice = s.scalar(select(Invoice).where(Invoice.order_id == order.id))
        invoice_number, invoice_margin = invoice.number, invoice.amount - invoice.cost
    view = tally.read(actors["U0SALES1"], "order_status", {"order_number": number}).orders[0]
    assert (view.revenue, view.cost, view.margin) == (revenue, cost, revenue - cost) and view.margin > 0
    out = io.StringIO()
    console = Console(tally, actors["U0SALES1"], out)
    console.handle(f"orders {number}")
    console.handle(f"invoice {invoice_number}")
    text = out.getvalue()
    assert f"margin {revenue - cost:,.2f} USD" in text
    assert f"margin {invoice_margin:,.2f} USD" in text


def test_sales_by_order_ranks_orders_by_margin(tally, actors):
    report = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "order",
                                                             "metric": "margin", "top": 5})
    assert len(report.rows) == 5 and all(r.key.startswith("SO-") for r in report.rows)
    margins = [r.margin for r in report.rows]
    assert margins == sorted(margins, reverse=True) and all(isinstance(m, Decimal) for m in margins)
    mine = tally.read(actors["U0SALES1"], "sales_summary", {"period": "this-year", "group_by": "order"})
    everyone = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "order"})
    assert 0 < len(mine.rows) < len(everyone.rows) and {r.key for r in mine.rows} < {r.key for r in everyone.rows}
