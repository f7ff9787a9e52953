"""Report queries: each answer is one or two aggregate statements, so they stay fast at a million invoices.
The tools turn these sums into the DESIGN metrics with the pure rules in core/."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, case, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from db.models import OPEN_STATUSES, CreditNote, Customer, Invoice, Payment, Product, SalesOrder
from db.product_sales import product_lines
from db.scope import Scope

# Rendered with literals, not parameters, so that both databases see it is the predicate of the
# partial index of open invoices (db.models.OPEN_INVOICE) and read receivables from that index alone.
IS_OPEN = Invoice.status.in_(bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True))


def _z(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def ageing(session: Session, as_of: date, today: date, group_by: str | None,
           scope: Scope) -> list[tuple[str, str, list[Decimal]]]:
    """Rows of (key, label, [current, 1-30, 31-60, 61-90, 91+]) for open balances as of a date.
    As of today or later it reads the maintained balances; only history needs the payments."""
    if as_of >= today:
        balance = Invoice.balance
        where: tuple[Any, ...] = (IS_OPEN,)
    else:
        paid = (select(func.coalesce(func.sum(Payment.amount), 0))
                .where(Payment.invoice_id == Invoice.id, Payment.received_on <= as_of).scalar_subquery())
        credited = (select(func.coalesce(func.sum(CreditNote.amount), 0))
                    .where(CreditNote.invoice_id == Invoice.id, CreditNote.issued_on <= as_of).scalar_subquery())
        balance = Invoice.total - paid - credited
        where = (Invoice.status != "void", Invoice.issue_date <= as_of,
                 (Invoice.paid_on.is_(None)) | (Invoice.paid_on > as_of))
    d1, d30, d60, d90 = (as_of - timedelta(days=n) for n in (1, 30, 60, 90))
    buckets = [
        func.sum(case((Invoice.due_date >= as_of, balance), else_=0)),
        func.sum(case(((Invoice.due_date <= d1) & (Invoice.due_date >= d30), balance), else_=0)),
        func.sum(case(((Invoice.due_date < d30) & (Invoice.due_date >= d60), balance), else_=0)),
        func.sum(case(((Invoice.due_date < d60) & (Invoice.due_date >= d90), balance), else_=0)),
        func.sum(case((Invoice.due_date < d90, balance), else_=0)),
    ]
    if group_by is None:
        query = scope.apply(select(literal("all"), literal("All customers"), *buckets).where(*where),
                            Invoice.customer_id)
    else:
        # Sum per customer first, then look the customers up: one join per customer, not per invoice.
        per_customer = scope.apply(
            select(Invoice.customer_id, *(b.label(f"b{i}") for i, b in enumerate(buckets))).where(*where)
            .group_by(Invoice.customer_id), Invoice.customer_id).subquery()
        sums = [per_customer.c[f"b{i}"] for i in range(len(buckets))]
        joined = select().select_from(per_customer).join(Customer, per_customer.c.customer_id == Customer.id)
        if group_by == "customer":
            query = joined.add_columns(Customer.code, Customer.name, *sums).order_by(Customer.code)
        else:
            rep = func.coalesce(Customer.owner_rep, "unassigned")
            query = joined.add_columns(rep, rep, *(func.sum(c) for c in sums)).group_by(rep).order_by(rep)
    return [(key, label, [_z(v) for v in values]) for key, label, *values in session.execute(query)]


def ar_as_of(session: Session, day: date, scope: Scope, *, only_current: bool = False) -> Decimal:
    """Total receivable at the end of `day` (optionally only what was not yet due then).

    It walks back from today's maintained balances instead of forward through all history, so it
    reads the open invoices and the payments received since `day`, not every invoice and payment:
    AR(day) = open balances now of the invoices counted at `day` (issued by then, not void)
            + payments received after `day`, less those on invoices not counted
            + credit notes issued after `day` on invoices counted.
    This rests on what the tools maintain: an invoice's paid_amount is the sum of its payments and its
    credited_amount the sum of its credit notes, one that is neither open nor void is settled in full
    by them, and a payment names its invoice's customer."""
    counted = [Invoice.status != "void", Invoice.issue_date <= day]
    # Not counted: issued later (an index range), or issued by then but void (or, for current AR,
    # already due). Two sums rather than one OR, so that each can use an index.
    earlier_not_counted = [Invoice.status == "void"]
    if only_current:
        counted.append(Invoice.due_date >= day)
        earlier_not_counted.append(Invoice.due_date < day)

    def paid_since_on(*where: Any) -> Select:
        return scope.apply(select(func.coalesce(func.sum(Payment.amount), 0))
                           .join(Invoice, Payment.invoice_id == Invoice.id)
                           .where(Payment.received_on > day, *where), Invoice.customer_id)

    sums = [
        scope.apply(select(func.coalesce(func.sum(Invoice.balance), 0))
                    .where(IS_OPEN, *counted), Invoice.customer_id),
        scope.apply(select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.received_on > day),
                    Payment.customer_id),
        paid_since_on(Invoice.issue_date > day),
        paid_since_on(Invoice.issue_date <= day, or_(*earlier_not_counted)),
        scope.apply(select(func.coalesce(func.sum(CreditNote.amount), 0))
                    .join(Invoice, CreditNote.invoice_id == Invoice.id)
                    .where(CreditNote.issued_on > day, *counted), Invoice.customer_id),
    ]
    owed, since, on_later, on_earlier, credited = session.execute(select(*(s.scalar_subquery() for s in sums))).one()
    return _z(owed) + _z(since) - _z(on_later) - _z(on_earlier) + _z(credited)


def open_ar(session: Session, as_of: date, scope: Scope) -> tuple[Decimal, Decimal]:
    """(total, current) open balances from the maintained paid amounts: the fast path for 'now'."""
    balance = Invoice.balance
    query = select(func.sum(balance), func.sum(case((Invoice.due_date >= as_of, balance), else_=0))).where(IS_OPEN)
    total, current = session.execute(scope.apply(query, Invoice.customer_id)).one()
    return _z(total), _z(current)


def sales_by_day(session: Session, start: date, end: date, scope: Scope) -> dict[date, Decimal]:
    """Net credit sales per day between two dates, inclusive: invoice totals by issue date less credit
    notes by theirs (a credit lowers sales, so DSO and CEI do not read it as money collected). One pass
    serves both a period's total and its calendar months."""
    query = (select(Invoice.issue_date, func.sum(Invoice.total))
             .where(Invoice.status != "void", Invoice.issue_date >= start, Invoice.issue_date <= end)
             .group_by(Invoice.issue_date))
    days = {day: _z(v) for day, v in session.execute(scope.apply(query, Invoice.customer_id))}
    credits = (select(CreditNote.issued_on, func.sum(CreditNote.amount))
               .where(CreditNote.issued_on >= start, CreditNote.issued_on <= end).group_by(CreditNote.issued_on))
    for day, credited in session.execute(scope.apply(credits, CreditNote.customer_id)):
        days[day] = days.get(day, _z(0)) - _z(credited)
    return days


def sales(session: Session, start: date, end: date, group_by: str,
          scope: Scope) -> list[tuple[str, str, Decimal, Decimal, int]]:
    """Rows of (key, label, revenue, cost, quantity) for invoices issued in [start, end], in key order
    (so that ties in a ranking come out the same on both databases)."""
    in_period = (Invoice.status != "void", Invoice.issue_date >= start, Invoice.issue_date <= end)
    if group_by == "product":
        lines = product_lines(start, end, scope)
        query = (select(Product.sku, Product.name, func.sum(lines.c.revenue), func.sum(lines.c.cost),
                        func.sum(lines.c.quantity))
                 .join(Product, Product.sku == lines.c.sku).group_by(Product.sku, Product.name).order_by(Product.sku))
    elif group_by == "order":
        query = scope.apply(
            select(SalesOrder.number, SalesOrder.number + " " + Customer.name, func.sum(Invoice.amount),
                   func.sum(Invoice.cost), literal(0))
            .join(SalesOrder, SalesOrder.id == Invoice.order_id).join(Customer, Customer.id == Invoice.customer_id)
            .where(*in_period).group_by(SalesOrder.number, Customer.name).order_by(SalesOrder.number),
            Invoice.customer_id)
    elif group_by == "customer":
        # Sum per customer first, then look the customers up: one join per customer, not per invoice.
        per_customer = scope.apply(
            select(Invoice.customer_id, func.sum(Invoice.amount).label("revenue"), func.sum(Invoice.cost).label("cost"))
            .where(*in_period).group_by(Invoice.customer_id), Invoice.customer_id).subquery()
        query = (select(Customer.code, Customer.name, per_customer.c.revenue, per_customer.c.cost, literal(0))
                 .join(per_customer, per_customer.c.customer_id == Customer.id).order_by(Customer.code))
    else:
        if group_by == "rep":
            rep = func.coalesce(Invoice.rep, "unassigned")
            keys = (rep, rep)
        else:
            keys = (extract("year", Invoice.issue_date), extract("month", Invoice.issue_date))
        query = (select(*keys, func.sum(Invoice.amount), func.sum(Invoice.cost), literal(0))
                 .where(*in_period).group_by(*keys).order_by(*keys))
        query = scope.apply(query, Invoice.customer_id)
    rows = session.execute(query).all()
    if group_by == "month":
        return [(f"{int(y)}-{int(m):02d}", f"{int(y)}-{int(m):02d}", _z(r), _z(c), 0) for y, m, r, c, _ in rows]
    return [(str(k), str(label), _z(r), _z(c), int(q or 0)) for k, label, r, c, q in rows]
