"""`seed --scale N`: N invoices (with their orders, lines and payments), deterministic, for benchmarks.
Rows are generated and inserted in chunks, so a million invoices fit in modest memory."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from core.money import money
from db.models import Customer, DocumentCounter, Invoice, OrderLine, Payment, Product, SalesOrder
from db.seed import seed_reference

CHUNK = 10_000
HISTORY_DAYS = 730
CUSTOMERS_PER_INVOICES = 500  # one customer per 500 invoices, at least the demo's 20


def seed_scale(session: Session, n: int, today: date, now: datetime,
               progress: Callable[[int], None] = lambda done: None) -> None:
    rng = random.Random(n)
    seed_reference(session, now)
    extra = max(0, n // CUSTOMERS_PER_INVOICES - 20)
    reps = ["U0SALES1", "U0SALES2", "U0SALES3"]
    session.execute(insert(Customer), [
        {"code": f"C{i:05d}", "name": f"Customer {i:05d}", "owner_rep": reps[i % 3],
         "collector": "U0COLL1" if i % 2 else "U0COLL2", "credit_limit": Decimal(50000),
         "payment_terms_days": (15, 30, 30, 45, 60)[i % 5], "on_hold": False, "created_at": now}
        for i in range(1, extra + 1)
    ])
    customers = session.execute(select(Customer.id, Customer.owner_rep, Customer.payment_terms_days)).all()
    products = session.execute(select(Product.id, Product.sku, Product.price, Product.cost)).all()
    days_back = sorted((rng.randrange(HISTORY_DAYS) for _ in range(n)), reverse=True)  # oldest first
    counters: dict[tuple[str, int], int] = defaultdict(int)
    ids = {"order": 0, "line": 0, "payment": 0}
    for start in range(0, n, CHUNK):
        orders, lines, invoices, payments = [], [], [], []
        for offset, back in enumerate(days_back[start:start + CHUNK]):
            index = start + offset + 1
            cust_id, rep, terms = customers[rng.randrange(len(customers))]
            issue = today - timedelta(days=back)
            ordered = issue - timedelta(days=rng.randint(0, 3))
            ids["order"] += 1
            order_id, total, cost = ids["order"], Decimal(0), Decimal(0)
            for product_id, sku, price, unit_cost in rng.sample(products, rng.choice((1, 1, 2))):
                quantity = rng.randint(1, 40)
                line_total = money(price * quantity)
                total, cost = total + line_total, cost + unit_cost * quantity
                ids["line"] += 1
                lines.append({"id": ids["line"], "order_id": order_id, "product_id": product_id, "sku": sku,
                              "quantity": quantity, "unit_price": price, "unit_cost": unit_cost,
                              "line_total": line_total})
            orders.append({"id": order_id, "number": _number(counters, "SO", ordered), "customer_id": cust_id,
                           "rep": rep, "status": "invoiced", "total": total, "credit_decision": {},
                           "ordered_on": ordered, "shipped_on": issue, "created_at": now, "updated_at": now})
            due = issue + timedelta(days=terms)
            paid, status, paid_on = Decimal(0), "open", None
            if (today - due).days > 5 and rng.random() < 0.92:
                paid_on = min(today, due + timedelta(days=rng.randint(-10, 30)))
                paid, status = total, "paid"
            elif rng.random() < 0.1:
                paid, status = money(total / 2), "partially_paid"
            if paid:
                ids["payment"] += 1
                payments.append({"id": ids["payment"], "invoice_id": index, "customer_id": cust_id,
                                 "amount": paid, "received_on": paid_on or min(today, due), "method": "bank_transfer",
                                 "reference": f"SCALE-{index}", "source": "scale", "recorded_by": "U0COLL1",
                                 "created_at": now})
            invoices.append({"id": index, "number": _number(counters, "INV", issue), "customer_id": cust_id,
                             "order_id": order_id, "rep": rep, "issue_date": issue, "due_date": due,
                             "amount": total, "tax": Decimal(0), "total": total, "cost": money(cost),
                             "paid_amount": paid, "status": status, "paid_on": paid_on, "disputed": False,
                             "created_at": datetime.combine(issue, datetime.min.time(), UTC)})
        for model, rows in ((SalesOrder, orders), (OrderLine, lines), (Invoice, invoices), (Payment, payments)):
            if rows:
                session.execute(insert(model), rows)
        progress(len(invoices))
    for (kind, year), value in counters.items():
        session.add(DocumentCounter(kind=kind, year=year, last_value=value))
    session.flush()
    if session.bind.dialect.name == "postgresql":
        _reset_sequences(session)


def _number(counters: dict[tuple[str, int], int], kind: str, day: date) -> str:
    counters[kind, day.year] += 1
    return f"{kind}-{day.year}-{counters[kind, day.year]:05d}"


def _reset_sequences(session: Session) -> None:
    """Rows were inserted with explicit ids; move each serial sequence past them."""
    for table in ("sales_orders", "order_lines", "invoices", "payments"):
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"))


def invoice_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Invoice)) or 0
