"""Parallel writes through the real service, on PostgreSQL: stock, credit, numbering, double clicks.

Every thread confirms through `Tally.confirm` with its own sessions, as parallel Slack clicks would.
The threads start together at a barrier; the assertions hold for any order the database picks."""

from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from itertools import zip_longest

import pytest
from sqlalchemy import func, select, update

from core.roles import Role
from db.models import Customer, DocumentCounter, Invoice, Product, SalesOrder
from tools import Actor, Outcome, Tally

if not os.environ.get("TALLY_TEST_DATABASE_URL"):
    pytest.skip("concurrency is tested on PostgreSQL: set TALLY_TEST_DATABASE_URL", allow_module_level=True)

YEAR = 2026  # the demo's "today" (tests/conftest.py DEMO_NOW)
SALES3 = Actor("U0SALES3", Role.SALES, "Tom Ortiz", "Europe/London")


@pytest.fixture(autouse=True)
def postgresql_only(backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")


def confirm_all(tally: Tally, jobs: list[tuple[Actor, str]]) -> list[Outcome]:
    """Confirm every (actor, pending id) at once, one thread each; exceptions propagate."""
    start = threading.Barrier(len(jobs), timeout=30)

    def run(job: tuple[Actor, str]) -> Outcome:
        start.wait()
        return tally.confirm(*job)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def set_available(db, sku: str, units: int) -> None:
    with db.session(write=True) as s:
        s.execute(update(Product).where(Product.sku == sku)
                  .values(stock_on_hand=Product.stock_reserved + units))
        s.commit()


def stock(db, sku: str) -> tuple[int, int]:
    with db.session() as s:
        return s.execute(select(Product.stock_on_hand, Product.stock_reserved).where(Product.sku == sku)).one()


def order_proposal(tally: Tally, actor: Actor, customer: str, sku: str, quantity: int, note: str) -> str:
    args = {"customer": customer, "lines": [{"sku": sku, "quantity": quantity}], "note": note}
    return tally.propose(actor, "create_order", args).pending_id


def numbers(db, model: type, kind: str) -> list[int]:
    with db.session() as s:
        issued = s.scalars(select(model.number).where(model.number.like(f"{kind}-{YEAR}-%"))).all()
    return sorted(int(n.rsplit("-", 1)[1]) for n in issued)


def counter(db, kind: str) -> int:
    with db.session() as s:
        return s.scalar(select(DocumentCounter.last_value).where(
            DocumentCounter.kind == kind, DocumentCounter.year == YEAR))


def test_fifty_parallel_orders_for_ten_units_confirm_exactly_ten(tally, db, actors):
    sku = "GEAR-A"
    set_available(db, sku, 10)
    # customers in good standing, each ordered by someone allowed to
    buyers = [(actors["U0SALES1"], "ACME"), (actors["U0SALES1"], "STARK"), (actors["U0SALES1"], "TYRELL"),
              (actors["U0SALES2"], "UMBHEALTH"), (SALES3, "WAYNE"), (SALES3, "NAKATOMI"),
              (actors["U0MGR1"], "UMBRELLA")]
    jobs = []
    for i in range(50):
        actor, customer = buyers[i % len(buyers)]
        jobs.append((actor, order_proposal(tally, actor, customer, sku, 1, f"race-{i}")))
    on_hand, _ = stock(db, sku)

    outcomes = confirm_all(tally, jobs)

    done = [o for o in outcomes if o.status == "done"]
    failed = [o for o in outcomes if o.status == "failed"]
    assert len(done) == 10 and len(failed) == 40
    assert all(o.result.order.status == "confirmed" and not o.already for o in done)
    assert all(o.error.startswith(f"Only 0 {sku} available") for o in failed)
    assert stock(db, sku) == (on_hand, on_hand)
    with db.session() as s:
        placed = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.note.like("race-%")))
    assert placed == 10
    # the 40 rolled-back orders gave their numbers back
    assert numbers(db, SalesOrder, "SO") == list(range(1, counter(db, "SO") + 1))


def exposure(db, customer_id: int) -> Decimal:
    """Open invoice balances plus confirmed, not yet invoiced orders, straight from the tables."""
    with db.session() as s:
        open_balance = s.scalar(select(func.coalesce(func.sum(Invoice.total - Invoice.paid_amount), 0)).where(
            Invoice.customer_id == customer_id, Invoice.status.in_(("open", "partially_paid"))))
        confirmed = s.scalar(select(func.coalesce(func.sum(SalesOrder.total), 0)).where(
            SalesOrder.customer_id == customer_id, SalesOrder.status == "confirmed"))
    return Decimal(open_balance) + Decimal(confirmed)


def test_parallel_orders_never_take_a_customer_past_its_credit_limit(tally, db, actors):
    sku, manager, rep = "PUMP-X", actors["U0MGR1"], actors["U0SALES1"]
    set_available(db, sku, 100_000)  # stock is not what limits these orders
    report = tally.read(manager, "check_credit", {"customer": "STARK"})
    available, limit = report.available, report.credit_limit
    with db.session() as s:
        customer_id = s.scalar(select(Customer.id).where(Customer.code == "STARK"))
        price = s.scalar(select(Product.price).where(Product.sku == sku))
    # each order is about 30% of the available credit: any one fits, three fit together, four do not
    quantity = int(available * Decimal("0.3") / price)
    amount = price * quantity
    fits = int(available // amount)
    assert fits == 3 and amount <= available
    jobs = [(rep if i % 2 else manager, order_proposal(tally, rep if i % 2 else manager, "STARK", sku, quantity,
                                                      f"credit-{i}"))
            for i in range(8)]

    outcomes = confirm_all(tally, jobs)

    assert all(o.status == "done" for o in outcomes)
    statuses = Counter(o.result.order.status for o in outcomes)
    assert statuses == {"confirmed": fits, "credit_hold": 8 - fits}
    for o in outcomes:
        if o.result.order.status == "credit_hold":
            assert any("exceed the credit limit" in r for r in o.result.order.credit.reasons)
    confirmed_total = sum((o.result.order.total for o in outcomes if o.result.order.status == "confirmed"),
                          Decimal(0))
    assert confirmed_total <= available
    assert exposure(db, customer_id) <= limit
    after = tally.read(manager, "check_credit", {"customer": "STARK"})
    assert after.available == available - confirmed_total >= 0


def test_document_numbers_stay_gapless_under_parallel_orders_and_invoices(tally, db, actors):
    manager = actors["U0MGR1"]
    so_before, inv_before = counter(db, "SO"), counter(db, "INV")
    assert numbers(db, SalesOrder, "SO") == list(range(1, so_before + 1))
    assert numbers(db, Invoice, "INV") == list(range(1, inv_before + 1))
    set_available(db, "WIDGET-2", 1_000)
    set_available(db, "MOTOR-250", 2)  # of five one-unit orders, three fail and roll back their numbers
    creates = [(manager, order_proposal(tally, manager, c, "WIDGET-2", 2, f"gapless-{i}"))
               for i, c in enumerate(["ACME", "STARK", "TYRELL", "UMBRELLA", "WAYNE", "WONKA", "NAKATOMI",
                                      "UMBHEALTH"] * 3)]
    creates += [(manager, order_proposal(tally, manager, c, "MOTOR-250", 1, f"scarce-{i}"))
                for i, c in enumerate(["ACME", "STARK", "WAYNE", "NAKATOMI", "UMBRELLA"])]
    with db.session() as s:  # the demo's confirmed, not yet shipped orders: each shipment issues an invoice
        to_ship = s.scalars(select(SalesOrder.number).where(SalesOrder.status == "confirmed")
                            .order_by(SalesOrder.number)).all()
    assert len(to_ship) >= 10
    fulfils = [(manager, tally.propose(manager, "fulfil_order", {"order_number": n}).pending_id) for n in to_ship]
    jobs = [job for pair in zip_longest(creates, fulfils) for job in pair if job]

    outcomes = confirm_all(tally, jobs)

    by_tool = Counter((o.tool, o.status) for o in outcomes)
    assert by_tool == {("create_order", "done"): len(creates) - 3, ("create_order", "failed"): 3,
                       ("fulfil_order", "done"): len(fulfils)}
    so, inv = numbers(db, SalesOrder, "SO"), numbers(db, Invoice, "INV")
    assert so == list(range(1, counter(db, "SO") + 1))
    assert inv == list(range(1, counter(db, "INV") + 1))
    assert counter(db, "SO") == so_before + len(creates) - 3
    assert counter(db, "INV") == inv_before + len(fulfils)
    issued = {o.result.order.invoice_number for o in outcomes if o.tool == "fulfil_order"}
    assert issued == {f"INV-{YEAR}-{n:05d}" for n in range(inv_before + 1, inv_before + len(fulfils) + 1)}


def test_one_pending_action_confirmed_from_ten_threads_runs_once(tally, db, actors):
    rep = actors["U0SALES1"]
    pending_id = order_proposal(tally, rep, "ACME", "WIDGET-1", 3, "double-click")
    before = stock(db, "WIDGET-1")

    outcomes = confirm_all(tally, [(rep if i % 2 else actors["U0MGR1"], pending_id) for i in range(10)])

    assert all(o.status == "done" for o in outcomes)
    assert sum(not o.already for o in outcomes) == 1
    assert len({o.result.order.number for o in outcomes}) == 1
    with db.session() as s:
        rows = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.note == "double-click"))
    assert rows == 1
    assert stock(db, "WIDGET-1") == (before[0], before[1] + 3)
