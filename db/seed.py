"""Demo data relative to today (so something is always overdue), and large deterministic data sets."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.credit import decide_credit
from core.money import money
from db.demo_data import CUSTOMERS, MEMBERS, PRODUCTS
from db.exposure import credit_inputs
from db.models import (
    Customer,
    DocumentCounter,
    Invoice,
    Member,
    OrderLine,
    Payment,
    Product,
    SalesOrder,
)

# profile → (days paid relative to due: low, high; share never paid)
PROFILES = {"good": (-10, 2, 0.0), "ok": (-5, 12, 0.02), "slow": (5, 40, 0.08), "bad": (20, 80, 0.35)}


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Customer)) == 0


def seed_reference(session: Session, now: datetime) -> None:
    """Members, customers and products: the named cast of the demo."""
    for slack_id, name, role, tz in MEMBERS:
        session.add(Member(slack_user_id=slack_id, name=name, role=role, timezone=tz, created_at=now))
    session.flush()
    for code, name, rep, collector, limit, terms, _ in CUSTOMERS:
        session.add(Customer(code=code, name=name, owner_rep=rep, collector=collector, credit_limit=limit,
                             payment_terms_days=terms, created_at=now))
    for sku, name, price, cost, stock in PRODUCTS:
        session.add(Product(sku=sku, name=name, price=price, cost=cost, stock_on_hand=stock))
    session.flush()


@dataclass
class PlannedInvoice:
    customer: Customer
    order: SalesOrder
    issue: date
    due: date
    pay_on: date | None
    pay_share: Decimal = Decimal(1)
    disputed: str | None = None
    promised_on: date | None = None
    payments: list[tuple[date, Decimal]] = field(default_factory=list)


def seed_demo(session: Session, today: date, now: datetime) -> None:
    """Twelve months of orders, invoices and payments, with the situations collectors meet."""
    rng = random.Random(20261124)
    seed_reference(session, now)
    customers = {c.code: c for c in session.scalars(select(Customer))}
    products = [p for p in session.scalars(select(Product).order_by(Product.id)) if p.stock_on_hand > 0]
    profile = {code: prof for code, *_, prof in CUSTOMERS}
    orders: list[SalesOrder] = []
    plans: list[PlannedInvoice] = []
    for code, customer in customers.items():
        low, high, never = PROFILES[profile[code]]
        for days_back in [*range(365, 5, -rng.randint(12, 18)), rng.randint(1, 3)]:
            ordered = today - timedelta(days=days_back)
            order = _order(rng, customer, products, ordered, now)
            orders.append(order)
            if days_back <= 3:  # the latest order: confirmed, stock reserved, not yet shipped
                order.status = "confirmed"
                continue
            issue = ordered + timedelta(days=rng.randint(1, 3))
            due = issue + timedelta(days=customer.payment_terms_days)
            pay_on = None if rng.random() < never else due + timedelta(days=rng.randint(low, high))
            order.status, order.shipped_on = "shipped", issue
            plans.append(PlannedInvoice(customer, order, issue, due, pay_on))
    _situations(rng, customers, plans, orders, today, now, products)
    _number_and_store(session, orders, plans, today, now)
    for order in orders:
        if order.status == "confirmed":
            for line in order.lines:
                next(p for p in products if p.id == line.product_id).stock_reserved += line.quantity
    _near_limit(session, customers["INITECH"], today)
    _held_decisions(session, orders, today)
    customers["SOYLENT"].on_hold = True


def _order(rng: random.Random, customer: Customer, products: list[Product], ordered: date,
           now: datetime) -> SalesOrder:
    order = SalesOrder(number="", customer_id=customer.id, customer=customer, rep=customer.owner_rep,
                       status="shipped", total=Decimal(0), credit_decision={}, ordered_on=ordered,
                       created_at=now, updated_at=now)
    budget = customer.credit_limit * Decimal(rng.randint(4, 9)) / 100
    for product in rng.sample(products, rng.randint(1, 3)):
        quantity = max(1, min(int(budget / 2 / product.price), 40))
        order.lines.append(OrderLine(product_id=product.id, sku=product.sku, quantity=quantity,
                                     unit_price=product.price, unit_cost=product.cost,
                                     line_total=money(product.price * quantity)))
    order.total = sum((ln.line_total for ln in order.lines), Decimal(0))
    order.credit_decision = {"decision": "approve", "reasons": [], "exposure": "0", "available_after": "0"}
    return order


def _latest(plans: list[PlannedInvoice], code: str, lo: int, hi: int, today: date) -> PlannedInvoice:
    """The customer's latest invoice whose due date lies lo..hi days before today."""
    found = [p for p in plans if p.customer.code == code and lo <= (today - p.due).days <= hi]
    return max(found, key=lambda p: p.due)


def _situations(rng: random.Random, customers: dict[str, Customer], plans: list[PlannedInvoice],
                orders: list[SalesOrder], today: date, now: datetime, products: list[Product]) -> None:
    acme = _latest(plans, "ACME", 5, 25, today)  # overdue a little, customer promised to pay
    acme.pay_on, acme.promised_on = None, today + timedelta(days=5)
    old = _latest(plans, "GLOBEX", 40, 60, today)  # past the 30-day rule: new orders go on hold
    old.pay_on = None
    disputed = _latest(plans, "GLOBEX", 8, 30, today)
    disputed.pay_on, disputed.disputed = None, "Damaged goods on delivery; waiting for credit note"
    partial = _latest(plans, "HOOLI", 10, 40, today)
    partial.pay_on, partial.payments = None, [(partial.due + timedelta(days=3), money(partial.order.total / 2))]
    broken = _latest(plans, "OSCORP", 10, 35, today)  # promised, then let the date pass
    broken.pay_on, broken.promised_on = None, today - timedelta(days=3)
    held = _order(rng, customers["GLOBEX"], products, today - timedelta(days=1), now)
    held.status = "credit_hold"  # its decision is worked out once the history is stored
    orders.append(held)


def _number_and_store(session: Session, orders: list[SalesOrder], plans: list[PlannedInvoice], today: date,
                      now: datetime) -> None:
    counters: dict[tuple[str, int], int] = defaultdict(int)

    def number(kind: str, day: date) -> str:
        counters[kind, day.year] += 1
        return f"{kind}-{day.year}-{counters[kind, day.year]:05d}"

    for order in sorted(orders, key=lambda o: (o.ordered_on, o.customer.code)):
        order.number = number("SO", order.ordered_on)
        session.add(order)
    session.flush()
    for plan in sorted(plans, key=lambda p: (p.issue, p.customer.code)):
        order, total = plan.order, plan.order.total
        invoice = Invoice(
            number=number("INV", plan.issue), customer_id=plan.customer.id, order_id=order.id, rep=order.rep,
            issue_date=plan.issue, due_date=plan.due, amount=total, tax=Decimal(0), total=total,
            cost=money(sum((ln.unit_cost * ln.quantity for ln in order.lines), Decimal(0))),
            paid_amount=Decimal(0), status="open", disputed=plan.disputed is not None,
            dispute_reason=plan.disputed, promised_on=plan.promised_on,
            created_at=datetime.combine(plan.issue, datetime.min.time(), UTC),
        )
        if plan.pay_on is not None and plan.pay_on <= today:
            plan.payments.append((max(plan.pay_on, plan.issue), total))
        session.add(invoice)
        session.flush()
        for received, amount in plan.payments:
            session.add(Payment(invoice_id=invoice.id, customer_id=invoice.customer_id, amount=amount,
                                received_on=received, method="bank_transfer", reference=f"BANK-{invoice.number}",
                                source="demo", recorded_by="U0COLL1", created_at=now))
            invoice.paid_amount += amount
        if invoice.paid_amount == invoice.total:
            invoice.status, invoice.paid_on = "paid", plan.payments[-1][0]
        elif invoice.paid_amount > 0:
            invoice.status = "partially_paid"
    for (kind, year), value in counters.items():
        session.add(DocumentCounter(kind=kind, year=year, last_value=value))
    session.flush()


def _near_limit(session: Session, customer: Customer, today: date) -> None:
    """Set the limit just above what the customer owes, so a modest order tips it over."""
    owed = credit_inputs(session, customer, today)
    exposure = owed.open_balance + owed.uninvoiced_orders
    customer.credit_limit = ((exposure + 1500) / 500).to_integral_value(ROUND_CEILING) * 500


def _held_decisions(session: Session, orders: list[SalesOrder], today: date) -> None:
    """Orders waiting for a manager carry the decision the credit rule gives today, with every reason."""
    for order in (o for o in orders if o.status == "credit_hold"):
        owed = credit_inputs(session, order.customer, today)
        decision = decide_credit(replace(owed, order_amount=order.total))
        order.credit_decision = {"decision": decision.decision, "reasons": [r.message for r in decision.reasons],
                                 "exposure": str(decision.exposure), "available_after": str(decision.available_after)}


Progress = Callable[[int], None]
