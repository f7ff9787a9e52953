"""Invoices found by customer, rep, product, period, amount and status, from the console and the tool,
paged with how many more there are; a rep finds only their own customers' invoices."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from bot.console import Console
from db.models import Customer, Invoice, OrderLine


def listing(tally, actor, **args):
    return tally.read(actor, "invoice_status", args).listing


def test_filters_narrow_what_is_listed(tally, db, actors):
    manager = actors["U0MGR1"]
    every = listing(tally, manager, status="all", period="this-year")
    big = listing(tally, manager, status="all", period="this-year", min_total="1000")
    assert big.invoices and all(i.total >= 1000 for i in big.invoices)
    assert len(big.invoices) + big.more < len(every.invoices) + every.more
    paid = listing(tally, manager, status="paid", customer="ACME")
    assert paid.invoices and all(i.status in ("paid", "credited") for i in paid.invoices)
    with db.session() as s:
        sku = s.scalar(select(OrderLine.sku).join(Invoice, Invoice.order_id == OrderLine.order_id)
                       .where(Invoice.status.in_(("open", "partially_paid"))).limit(1))
        rep = s.scalar(select(Invoice.rep).where(Invoice.status.in_(("open", "partially_paid")),
                                                 Invoice.rep.is_not(None)).limit(1))
    with_sku = listing(tally, manager, product=sku)
    assert with_sku.invoices
    by_rep = listing(tally, manager, rep=rep)
    with db.session() as s:
        reps = set(s.scalars(select(Invoice.rep).where(Invoice.number.in_([i.number for i in by_rep.invoices]))))
    assert reps == {rep}


def test_a_period_in_words_and_an_amount_from_the_console(tally, db):
    out = io.StringIO()
    Console(tally, tally.actor_for("U0MGR1"), out).handle("invoices ACME all in this-year over 500")
    text = out.getvalue()
    with db.session() as s:
        acme = s.scalar(select(Customer.id).where(Customer.code == "ACME"))
        wanted = s.scalars(select(Invoice.number).where(
            Invoice.customer_id == acme, Invoice.status != "void", Invoice.total >= 500,
            Invoice.issue_date >= date(tally.clock.now().year, 1, 1))).all()
    assert wanted and all(number in text for number in wanted[:10]), text


def test_a_rep_finds_only_their_own_customers_invoices(tally, db, actors):
    mine = listing(tally, actors["U0SALES1"], status="all", period="this-year")
    everyone = listing(tally, actors["U0MGR1"], status="all", period="this-year")
    assert 0 < len(mine.invoices) + mine.more < len(everyone.invoices) + everyone.more
    with db.session() as s:
        own = set(s.scalars(select(Customer.code).where(Customer.owner_rep == "U0SALES1")))
    assert {i.customer.code for i in mine.invoices} <= own
