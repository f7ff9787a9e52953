"""`seed --scale N`: N invoices (with their orders, lines and payments), deterministic, for benchmarks.
Rows are generated and written in chunks, so a million invoices fit in modest memory. They bypass
the ORM: PostgreSQL takes them by COPY, SQLite by one executemany per table and chunk, with values
converted by the columns' own SQLAlchemy types so they are stored exactly as the ORM stores them."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.orm import Session

from core.money import money
from db.backup import wipe
from db.models import AuditEvent, Customer, DocumentCounter, Invoice, OrderLine, Payment, Product, SalesOrder
from db.seed import is_empty, seed_demo, seed_reference
from db.session import Database

CHUNK = 50_000
HISTORY_DAYS = 730
CUSTOMERS_PER_INVOICES = 500  # one customer per 500 invoices, at least the demo's 20

ORDER_COLUMNS = ("id", "number", "customer_id", "rep", "status", "total", "credit_decision", "ordered_on",
                 "shipped_on", "created_at", "updated_at")
LINE_COLUMNS = ("id", "order_id", "product_id", "sku", "quantity", "unit_price", "unit_cost", "line_total")
INVOICE_COLUMNS = ("id", "number", "customer_id", "order_id", "rep", "issue_date", "due_date", "amount", "tax",
                   "total", "cost", "paid_amount", "status", "paid_on", "disputed", "created_at")
PAYMENT_COLUMNS = ("id", "invoice_id", "customer_id", "amount", "received_on", "method", "reference", "source",
                   "recorded_by", "created_at")


def seed_scale(session: Session, n: int, today: date, now: datetime,
               progress: Callable[[int], None] = lambda done: None) -> None:
    rng = random.Random(n)
    seed_reference(session, now)
    extra = max(0, n // CUSTOMERS_PER_INVOICES - 20)
    reps = ["U0SALES1", "U0SALES2", "U0SALES3"]
    if extra:  # an empty list would insert one row of defaults
        session.execute(insert(Customer), [
            {"code": f"C{i:05d}", "name": f"Customer {i:05d}", "owner_rep": reps[i % 3],
             "collector": "U0COLL1" if i % 2 else "U0COLL2", "credit_limit": Decimal(50000),
             "payment_terms_days": (15, 30, 30, 45, 60)[i % 5], "on_hold": False, "created_at": now}
            for i in range(1, extra + 1)
        ])
    customers = session.execute(select(Customer.id, Customer.owner_rep, Customer.payment_terms_days)
                                .order_by(Customer.id)).all()
    products = session.execute(select(Product.id, Product.sku, Product.price, Product.cost)
                               .order_by(Product.id)).all()
    write = _bulk_writer(session.connection())
    days_back = sorted((rng.randrange(HISTORY_DAYS) for _ in range(n)), reverse=True)  # oldest first
    counters: dict[tuple[str, int], int] = defaultdict(int)
    line_id = payment_id = 0
    no_decision: dict[str, Any] = {}
    half = Decimal(2)
    for start in range(0, n, CHUNK):
        orders, lines, invoices, payments = [], [], [], []
        for index, back in enumerate(days_back[start:start + CHUNK], start + 1):
            cust_id, rep, terms = customers[rng.randrange(len(customers))]
            issue = today - timedelta(days=back)
            ordered = issue - timedelta(days=rng.randint(0, 3))
            order_id, total, cost = index, Decimal(0), Decimal(0)  # one order per invoice, same id
            for product_id, sku, price, unit_cost in rng.sample(products, rng.choice((1, 1, 2))):
                quantity = rng.randint(1, 40)
                line_total = money(price * quantity)
                total, cost = total + line_total, cost + unit_cost * quantity
                line_id += 1
                lines.append((line_id, order_id, product_id, sku, quantity, price, unit_cost, line_total))
            orders.append((order_id, _number(counters, "SO", ordered), cust_id, rep, "shipped", total,
                           no_decision, ordered, issue, now, now))
            due = issue + timedelta(days=terms)
            paid, status, paid_on = Decimal(0), "open", None
            if (today - due).days > 5 and rng.random() < 0.92:
                paid_on = min(today, due + timedelta(days=rng.randint(-10, 30)))
                paid, status = total, "paid"
            elif rng.random() < 0.1:
                paid, status = money(total / half), "partially_paid"
            if paid:
                payment_id += 1
                payments.append((payment_id, index, cust_id, paid, paid_on or min(today, due), "bank_transfer",
                                 f"SCALE-{index}", "scale", "U0COLL1", now))
            invoices.append((index, _number(counters, "INV", issue), cust_id, order_id, rep, issue, due, total,
                             Decimal(0), total, money(cost), paid, status, paid_on, False,
                             datetime.combine(issue, datetime.min.time(), UTC)))
        write(SalesOrder.__table__, ORDER_COLUMNS, orders)
        write(OrderLine.__table__, LINE_COLUMNS, lines)
        write(Invoice.__table__, INVOICE_COLUMNS, invoices)
        write(Payment.__table__, PAYMENT_COLUMNS, payments)
        progress(len(invoices))
    for (kind, year), value in counters.items():
        session.add(DocumentCounter(kind=kind, year=year, last_value=value))
    session.flush()
    if session.bind.dialect.name == "postgresql":
        _reset_sequences(session)


def _bulk_writer(conn: Connection) -> Callable[[Table, tuple[str, ...], list[tuple]], None]:
    """A function writing rows (tuples in `columns` order) into a table, in the session's transaction."""
    dialect = conn.dialect

    def converters(table: Table, columns: tuple[str, ...]) -> list[Callable[[Any], Any] | None]:
        return [table.c[name].type._cached_bind_processor(dialect) for name in columns]

    def convert(rows: list[tuple], procs: list[Callable[[Any], Any] | None]) -> list[tuple]:
        if not any(procs):
            return rows
        return [tuple(v if p is None or v is None else p(v) for p, v in zip(procs, row, strict=True))
                for row in rows]

    if dialect.name == "postgresql":
        def copy(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
            if not rows:
                return
            procs = converters(table, columns)
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                    f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as stream:
                for row in convert(rows, procs):
                    stream.write_row(row)
        return copy

    def executemany(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        conn.exec_driver_sql(sql, convert(rows, converters(table, columns)))
    return executemany


def _number(counters: dict[tuple[str, int], int], kind: str, day: date) -> str:
    counters[kind, day.year] += 1
    return f"{kind}-{day.year}-{counters[kind, day.year]:05d}"


def _reset_sequences(session: Session) -> None:
    """Rows were inserted with explicit ids; move each serial sequence past them."""
    for table in ("sales_orders", "order_lines", "invoices", "payments"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"))


def load_data(db: Database, now: datetime, *, scale: int = 0, reset: bool = False, only_if_empty: bool = False,
              progress: Callable[[int], None] = lambda done: None) -> bool:
    """Seed the demo company (or `scale` invoices) in one transaction. Refuses a database that has data
    unless `reset` (which keeps the audit log); with `only_if_empty`, quietly does nothing instead.
    Returns whether it loaded."""
    with db.session(write=True) as session:
        if reset:
            wipe(session)
        elif not is_empty(session):
            if only_if_empty:
                return False
            raise ValueError("The database already has data; add --reset to replace it.")
        if scale:
            seed_scale(session, scale, now.date(), now, progress)
        else:
            seed_demo(session, now.date(), now)
        session.add(AuditEvent(at=now, actor="cli", action="seed", entity="database",
                               entity_id=f"scale {scale}" if scale else "demo", before=None, after={"reset": reset}))
        session.commit()
    return True
