"""CSV export. Members, customers, products, invoices and payments are written in exactly the columns
`import` reads, in the order an import into an empty database needs, so importing them back changes
nothing. Orders and their lines are written too, for reading: orders enter Tally by Slack or the console.
All files come from one read transaction, and each appears whole or not at all."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Customer, Invoice, Member, OrderLine, Payment, Product, SalesOrder
from db.session import Database
from tools.csv_cells import to_cell
from tools.import_rows import COLUMNS

ORDER_COLUMNS = ("number", "customer", "rep", "status", "total", "ordered_on", "shipped_on", "tracking", "note",
                 "decided_by", "decision_reason")
LINE_COLUMNS = ("order", "sku", "quantity", "unit_price", "unit_cost", "line_total")


def _attributes(session: Session, model: type, key: str, names: tuple[str, ...]) -> Iterator[tuple]:
    for record in session.scalars(select(model).order_by(getattr(model, key))):
        yield tuple(getattr(record, name) for name in names)


def _invoices(session: Session) -> Iterator[tuple]:
    names = COLUMNS["invoices"][2:]
    for inv in session.scalars(select(Invoice).order_by(Invoice.id)):
        yield (inv.number, inv.customer.code, *(getattr(inv, name) for name in names))


def _payments(session: Session) -> Iterator[tuple]:
    query = (select(Invoice.number, Payment.amount, Payment.received_on, Payment.method, Payment.reference,
                    Payment.source).join(Invoice, Invoice.id == Payment.invoice_id).order_by(Payment.id))
    yield from session.execute(query)


def _orders(session: Session) -> Iterator[tuple]:
    for order in session.scalars(select(SalesOrder).order_by(SalesOrder.id)):
        yield (order.number, order.customer.code, *(getattr(order, name) for name in ORDER_COLUMNS[2:]))


def _lines(session: Session) -> Iterator[tuple]:
    query = (select(SalesOrder.number, *(getattr(OrderLine, n) for n in LINE_COLUMNS[1:]))
             .join(SalesOrder, SalesOrder.id == OrderLine.order_id).order_by(OrderLine.id))
    yield from session.execute(query)


FILES = {
    "members": (COLUMNS["members"], lambda s: _attributes(s, Member, "slack_user_id", COLUMNS["members"])),
    "customers": (COLUMNS["customers"], lambda s: _attributes(s, Customer, "code", COLUMNS["customers"])),
    "products": (COLUMNS["products"], lambda s: _attributes(s, Product, "sku", COLUMNS["products"])),
    "invoices": (COLUMNS["invoices"], _invoices),
    "payments": (COLUMNS["payments"], _payments),
    "orders": (ORDER_COLUMNS, _orders),
    "order_lines": (LINE_COLUMNS, _lines),
}
IMPORTABLE = ("members", "customers", "products", "invoices", "payments")


def export_csv(db: Database, out_dir: Path) -> list[tuple[Path, int]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int]] = []
    partials: list[Path] = []
    try:
        with db.engine.connect() as conn:
            if db.is_postgres:  # one snapshot for every file
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin(), Session(conn) as session:
                for name, (columns, rows) in FILES.items():
                    path = out_dir / f"{name}.csv"
                    partials.append(path.with_name(path.name + ".partial"))
                    count = 0
                    with partials[-1].open("w", newline="", encoding="utf-8") as fh:
                        writer = csv.writer(fh)
                        writer.writerow(columns)
                        for row in rows(session):
                            writer.writerow([to_cell(value) for value in row])
                            count += 1
                    written.append((path, count))
        for partial, (path, _) in zip(partials, written, strict=True):
            partial.replace(path)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)
    return written
