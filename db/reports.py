"""Report queries: each answer is one or two aggregate statements, so they stay fast at a million invoices.
The tools turn these sums into the DESIGN metrics with the pure rules in core/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, extract, func, literal, select
from sqlalchemy.orm import Session

from db.models import Customer, Invoice, OrderLine, Payment, Product

OPEN = ("open", "partially_paid")
AGEING_GROUPS = {"customer", "rep"}
SALES_GROUPS = {"rep", "customer", "product", "month"}


@dataclass(frozen=True)
class Scope:
    """Whose book a report covers: everyone's, or one salesperson's customers."""

    owner_rep: str | None = None

    def apply(self, query: Select, customer_fk: Any) -> Select:
        if self.owner_rep is None:
            return query
        return query.where(customer_fk.in_(select(Customer.id).where(Customer.owner_rep == self.owner_rep)))


def _z(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def ageing(session: Session, as_of: date, today: date, group_by: str | None,
           scope: Scope) -> list[tuple[str, str, list[Decimal]]]:
    """Rows of (key, label, [current, 1-30, 31-60, 61-90, 91+]) for open balances as of a date.
    As of today or later it reads the maintained balances; only history needs the payments."""
    if as_of >= today:
        balance = Invoice.total - Invoice.paid_amount
        base = select().select_from(Invoice).where(Invoice.status.in_(OPEN))
    else:
        paid = (select(func.coalesce(func.sum(Payment.amount), 0))
                .where(Payment.invoice_id == Invoice.id, Payment.received_on <= as_of).scalar_subquery())
        balance = Invoice.total - paid
        base = select().select_from(Invoice).where(
            Invoice.status != "void", Invoice.issue_date <= as_of,
            (Invoice.paid_on.is_(None)) | (Invoice.paid_on > as_of),
        )
    d1, d30, d60, d90 = (as_of - timedelta(days=n) for n in (1, 30, 60, 90))
    buckets = [
        func.sum(case((Invoice.due_date >= as_of, balance), else_=0)),
        func.sum(case(((Invoice.due_date <= d1) & (Invoice.due_date >= d30), balance), else_=0)),
        func.sum(case(((Invoice.due_date < d30) & (Invoice.due_date >= d60), balance), else_=0)),
        func.sum(case(((Invoice.due_date < d60) & (Invoice.due_date >= d90), balance), else_=0)),
        func.sum(case((Invoice.due_date < d90, balance), else_=0)),
    ]
    query = scope.apply(base, Invoice.customer_id)
    if group_by == "customer":
        query = query.join(Customer, Invoice.customer_id == Customer.id).add_columns(
            Customer.code, Customer.name, *buckets).group_by(Customer.code, Customer.name).order_by(Customer.code)
    elif group_by == "rep":
        rep = func.coalesce(Customer.owner_rep, "unassigned")
        query = query.join(Customer, Invoice.customer_id == Customer.id).add_columns(
            rep, rep, *buckets).group_by(rep).order_by(rep)
    else:
        query = query.add_columns(literal("all"), literal("All customers"), *buckets)
    return [(key, label, [_z(v) for v in values]) for key, label, *values in session.execute(query)]


def ar_as_of(session: Session, day: date, scope: Scope, *, only_current: bool = False) -> Decimal:
    """Total receivable at the end of `day`: invoiced by then minus paid by then (optionally not yet due)."""
    invoiced = select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.status != "void", Invoice.issue_date <= day)
    paid = select(func.coalesce(func.sum(Payment.amount), 0)).join(
        Invoice, Payment.invoice_id == Invoice.id).where(
        Invoice.status != "void", Invoice.issue_date <= day, Payment.received_on <= day)
    if only_current:
        invoiced, paid = invoiced.where(Invoice.due_date >= day), paid.where(Invoice.due_date >= day)
    invoiced, paid = scope.apply(invoiced, Invoice.customer_id), scope.apply(paid, Invoice.customer_id)
    return _z(session.scalar(invoiced)) - _z(session.scalar(paid))


def open_ar(session: Session, as_of: date, scope: Scope) -> tuple[Decimal, Decimal]:
    """(total, current) open balances from the maintained paid amounts: the fast path for 'now'."""
    balance = Invoice.total - Invoice.paid_amount
    query = select(func.sum(balance), func.sum(case((Invoice.due_date >= as_of, balance), else_=0))).where(
        Invoice.status.in_(OPEN))
    total, current = session.execute(scope.apply(query, Invoice.customer_id)).one()
    return _z(total), _z(current)


def monthly_sales(session: Session, start: date, end: date, scope: Scope) -> dict[tuple[int, int], Decimal]:
    """Credit sales (invoice totals) per calendar month between two dates, inclusive."""
    year, month = extract("year", Invoice.issue_date), extract("month", Invoice.issue_date)
    query = (select(year, month, func.sum(Invoice.total))
             .where(Invoice.status != "void", Invoice.issue_date >= start, Invoice.issue_date <= end)
             .group_by(year, month))
    return {(int(y), int(m)): _z(v) for y, m, v in session.execute(scope.apply(query, Invoice.customer_id))}


def sales(session: Session, start: date, end: date, group_by: str,
          scope: Scope) -> list[tuple[str, str, Decimal, Decimal, int]]:
    """Rows of (key, label, revenue, cost, quantity) for invoices issued in [start, end]."""
    in_period = (Invoice.status != "void", Invoice.issue_date >= start, Invoice.issue_date <= end)
    if group_by == "product":
        query = (select(OrderLine.sku, Product.name, func.sum(OrderLine.line_total),
                        func.sum(OrderLine.unit_cost * OrderLine.quantity), func.sum(OrderLine.quantity))
                 .join(Invoice, Invoice.order_id == OrderLine.order_id)
                 .join(Product, Product.id == OrderLine.product_id)
                 .where(*in_period).group_by(OrderLine.sku, Product.name))
    else:
        if group_by == "customer":
            keys = (Customer.code, Customer.name)
        elif group_by == "rep":
            rep = func.coalesce(Invoice.rep, "unassigned")
            keys = (rep, rep)
        else:
            year, month = extract("year", Invoice.issue_date), extract("month", Invoice.issue_date)
            keys = (year, month)
        query = select(*keys, func.sum(Invoice.amount), func.sum(Invoice.cost), literal(0)).where(*in_period)
        if group_by == "customer":
            query = query.join(Customer, Invoice.customer_id == Customer.id)
        query = query.group_by(*keys)
    rows = session.execute(scope.apply(query, Invoice.customer_id)).all()
    if group_by == "month":
        return [(f"{int(y)}-{int(m):02d}", f"{int(y)}-{int(m):02d}", _z(r), _z(c), 0) for y, m, r, c, _ in rows]
    return [(str(k), str(label), _z(r), _z(c), int(q or 0)) for k, label, r, c, q in rows]
