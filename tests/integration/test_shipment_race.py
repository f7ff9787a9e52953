"""Parallel partial shipments of one order, on PostgreSQL: each confirmed on its own thread through
`Tally.confirm`, they queue on the order's row lock, so together they never ship more than was ordered,
and the delivery notes and invoices they issue keep gapless numbers."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from sqlalchemy import func, select

from db.models import DocumentCounter, Invoice, Product, SalesOrder, Shipment, ShipmentLine
from tests.integration.test_concurrency import confirm_all, set_available

if not os.environ.get("TALLY_TEST_DATABASE_URL"):
    pytest.skip("concurrency is tested on PostgreSQL: set TALLY_TEST_DATABASE_URL", allow_module_level=True)

YEAR = 2026


@pytest.fixture(autouse=True)
def postgresql_only(backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")


def test_parallel_partial_shipments_never_ship_more_than_was_ordered(tally, db, actors):
    rep, manager = actors["U0SALES1"], actors["U0MGR1"]
    set_available(db, "WIDGET-1", 1_000)
    with db.session() as s:
        on_hand, reserved = s.execute(select(Product.stock_on_hand, Product.stock_reserved)
                                      .where(Product.sku == "WIDGET-1")).one()
    order = tally.confirm(rep, tally.propose(rep, "create_order", {
        "customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 10}]}).pending_id).result.order
    # Twelve shipments of 2 units each, all proposed while the 10 units are still there: five fit.
    jobs = [(rep if i % 2 else manager, tally.propose(rep if i % 2 else manager, "ship_order", {
        "order_number": order.number, "lines": [{"sku": "WIDGET-1", "quantity": 2}],
        "tracking": f"T-{i}"}).pending_id) for i in range(12)]

    outcomes = confirm_all(tally, jobs)

    assert Counter(o.status for o in outcomes) == {"done": 5, "failed": 7}
    assert all("Only" in o.error and "left to ship" in o.error or "nothing is left to ship" in o.error
               for o in outcomes if o.status == "failed")
    with db.session() as s:
        status = s.scalar(select(SalesOrder.status).where(SalesOrder.number == order.number))
        shipped = s.scalar(select(func.sum(ShipmentLine.quantity)).join(Shipment)
                           .join(SalesOrder, SalesOrder.id == Shipment.order_id)
                           .where(SalesOrder.number == order.number))
        notes = s.scalars(select(Shipment.number).order_by(Shipment.number)).all()
        dn = s.scalar(select(DocumentCounter.last_value).where(DocumentCounter.kind == "DN"))
        billed = s.scalar(select(func.count()).select_from(Invoice).where(Invoice.shipment_id.is_not(None)))
        after = s.execute(select(Product.stock_on_hand, Product.stock_reserved)
                          .where(Product.sku == "WIDGET-1")).one()
    assert status == "shipped" and shipped == 10 and billed == 5
    assert notes == [f"DN-{YEAR}-{n:05d}" for n in range(1, 6)] and dn == 5
    assert tuple(after) == (on_hand - 10, reserved)
