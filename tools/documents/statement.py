"""A statement of account: one customer as of a date. Open items, the payments (and, once there are credit
notes, the credits) of the 30 days up to that date, ageing, and the total outstanding, which is the total
balance `invoices CUSTOMER` shows as of the same day. Money the customer paid that no invoice took yet
(unapplied credit) is listed too, with the net outstanding after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.ageing import BUCKET_LABELS, BUCKETS
from core.money import ZERO, fmt
from db.models import Customer, CustomerCredit, Invoice, Payment
from db.reports import IS_OPEN, Scope, ageing
from tools.context import ToolContext
from tools.documents.invoice import customer_party
from tools.documents.model import DocumentData, Line, Table, Total

ACTIVITY_DAYS = 30  # Tally keeps no record of statements sent: the activity shown is the last 30 days


@dataclass(frozen=True)
class OpenItem:
    invoice: Invoice
    paid: Decimal
    balance: Decimal


def open_items(ctx: ToolContext, customer: Customer, as_of: date) -> list[OpenItem]:
    """Open invoices as of the end of `as_of`, by due date. Today (or later) reads the maintained balances,
    as `invoices` does; a past day adds back the payments received after it, as the ageing report does."""
    base = select(Invoice).where(Invoice.customer_id == customer.id).order_by(Invoice.due_date, Invoice.id)
    if as_of >= ctx.today:
        return [OpenItem(i, i.paid_amount, i.balance) for i in ctx.session.scalars(base.where(IS_OPEN))]
    paid = (select(func.coalesce(func.sum(Payment.amount), 0))
            .where(Payment.invoice_id == Invoice.id, Payment.received_on <= as_of).scalar_subquery())
    rows = ctx.session.execute(base.add_columns(paid).where(
        Invoice.status != "void", Invoice.issue_date <= as_of,
        Invoice.paid_on.is_(None) | (Invoice.paid_on > as_of))).all()
    items = [OpenItem(i, Decimal(p or 0), i.total - Decimal(p or 0)) for i, p in rows]
    return [item for item in items if item.balance]


def payments_between(ctx: ToolContext, customer: Customer, start: date, end: date) -> list[tuple[Payment, str]]:
    return ctx.session.execute(
        select(Payment, Invoice.number).join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.customer_id == customer.id, Payment.received_on > start, Payment.received_on <= end)
        .order_by(Payment.received_on, Payment.id)).all()


def unapplied_credits(ctx: ToolContext, customer: Customer, as_of: date) -> list[CustomerCredit]:
    """Credits received by `as_of` with money left. What was applied of one is a payment dated the day the
    credit was received, so the open items already show it as paid then: the rest is what is left now."""
    return list(ctx.session.scalars(select(CustomerCredit).where(
        CustomerCredit.customer_id == customer.id, CustomerCredit.remaining > 0,
        CustomerCredit.received_on <= as_of).order_by(CustomerCredit.received_on, CustomerCredit.id)))


def statement_number(customer: Customer, as_of: date) -> str:
    return f"ST-{customer.code}-{as_of:%Y%m%d}"


def statement_data(ctx: ToolContext, customer: Customer, as_of: date) -> tuple[DocumentData, Decimal]:
    """The document and its total outstanding."""
    items = open_items(ctx, customer, as_of)
    total = sum((item.balance for item in items), ZERO)
    since = as_of - timedelta(days=ACTIVITY_DAYS)
    payments = payments_between(ctx, customer, since, as_of)
    credits = unapplied_credits(ctx, customer, as_of)
    unapplied = sum((c.remaining for c in credits), ZERO)
    buckets = ageing(ctx.session, as_of, ctx.today, None, Scope(customer_id=customer.id))[0][2]
    open_lines = [Line((
        item.invoice.number, item.invoice.issue_date.isoformat(), item.invoice.due_date.isoformat(),
        str(max((as_of - item.invoice.due_date).days, 0) or ""), fmt(item.invoice.total), fmt(item.paid),
        fmt(item.balance))) for item in items]
    paid_lines = [Line((p.received_on.isoformat(), number, p.method, p.reference or "", fmt(p.amount)))
                  for p, number in payments]
    document = DocumentData(
        kind="statement", title="Statement of account / 对账单", number=statement_number(customer, as_of),
        date=as_of, generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(customer),
        facts=[("As of", as_of.isoformat()), ("Activity", f"{(since + timedelta(days=1)).isoformat()} to "
                                                          f"{as_of.isoformat()}"),
               ("Payment terms", f"{customer.payment_terms_days} days net")],
        tables=[
            Table("Open items", ("Invoice", "Issued", "Due", "Days late", "Total", "Paid", "Balance"), open_lines,
                  numeric=frozenset({3, 4, 5, 6}), widths=(3, 2, 2, 1.3, 2.2, 2.2, 2.2),
                  empty="No open items."),
            Table("Payments received", ("Date", "Invoice", "Method", "Reference", "Amount"), paid_lines,
                  numeric=frozenset({4}), widths=(2, 3, 1.6, 3, 2), empty="No payments in this period."),
            Table("Ageing (days past due)", (*(BUCKET_LABELS[b] for b in BUCKETS), "Total"),
                  [Line((*(fmt(v) for v in buckets), fmt(sum(buckets, ZERO))))], numeric=frozenset(range(6))),
            *([Table("Unapplied credit", ("Credit", "Received", "Paid", "Not yet applied"),
                     [Line((c.number, c.received_on.isoformat(), fmt(c.amount), fmt(c.remaining))) for c in credits],
                     numeric=frozenset({2, 3}), widths=(2, 2, 2.2, 2.2))] if credits else []),
        ],
        totals=([Total("Total outstanding", total), Total("Unapplied credit", -unapplied),
                 Total("Net outstanding", total - unapplied, strong=True)] if credits else
                [Total("Total outstanding", total, strong=True)]),
        notes=["Please pay the balances past due, or tell us if anything here does not match your books."]
        + (["Unapplied credit is money you paid that is not yet set against an invoice; tell us which invoices "
            "it is for."] if credits else []),
    )
    return document, total
