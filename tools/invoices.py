"""invoice_status: one invoice with its payments and reminders, or a customer's (overdue) invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field
from sqlalchemy import Select, select

from core.errors import InvalidInput
from core.money import ZERO, fmt, ratio
from core.periods import parse_period
from core.roles import Role
from db.models import (
    OPEN_STATUSES,
    CreditNote,
    Customer,
    Invoice,
    Member,
    OrderLine,
    Payment,
    Reminder,
    SalesOrder,
    Shipment,
)
from db.reports import IS_OPEN
from tools.context import ToolContext
from tools.lookup import member_named, resolve_customer, resolve_invoice
from tools.registry import tool
from tools.schemas import Args, CustomerRef, InvoiceLine, Money, Result

LIST_LIMIT = 50
REMINDER_LIMIT = 20


class PaymentView(Result):
    amount: Money
    received_on: date
    method: str
    reference: str | None


class ReminderLine(Result):
    """A reminder about the invoice: sent, or scheduled, and to whom."""

    stage: str  # a dunning stage such as +7d, or at:... for one scheduled by hand
    recipient: str
    recipient_name: str | None
    status: str  # pending, claimed, sent, skipped, failed, cancelled
    at: datetime  # when it was sent, or when it is due; in the asker's timezone
    detail: str | None = None  # why it was skipped, or what failed


class CreditNoteLineView(Result):
    sku: str
    quantity: int
    unit_price: Money  # net, as invoiced
    amount: Money  # with the invoice's tax


class CreditNoteView(Result):
    number: str
    kind: str  # credit, return, dispute
    invoice_number: str
    customer: CustomerRef
    amount: Money
    reason: str
    issued_on: date
    issued_by: str
    lines: list[CreditNoteLineView] = []


def credit_note_view(note: CreditNote) -> CreditNoteView:
    return CreditNoteView(
        number=note.number, kind=note.kind, invoice_number=note.invoice.number,
        customer=CustomerRef(code=note.customer.code, name=note.customer.name), amount=note.amount,
        reason=note.reason, issued_on=note.issued_on, issued_by=note.issued_by,
        lines=[CreditNoteLineView(sku=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price, amount=ln.amount)
               for ln in note.lines])


class InvoiceDetail(Result):
    invoice: InvoiceLine
    currency: str
    order_number: str | None
    delivery_number: str | None = None  # the shipment (delivery note) it bills
    dispute_reason: str | None
    promised_amount: Money | None
    payments: list[PaymentView]
    credit_notes: list[CreditNoteView] = []
    reminders: list[ReminderLine] = []  # only when one invoice is asked for
    more_reminders: int = 0
    revenue: Money = ZERO  # net of tax
    cost: Money = ZERO  # of the goods it bills

    def profit_text(self) -> str:
        margin, c = self.revenue - self.cost, self.currency
        share = f" ({ratio(margin * 100, self.revenue, '0.1')}%)" if self.revenue else ""
        return f"revenue {fmt(self.revenue, c)}, cost {fmt(self.cost, c)}, margin {fmt(margin, c)}{share}"


class InvoiceList(Result):
    customer: CustomerRef | None
    only_overdue: bool
    currency: str
    invoices: list[InvoiceLine]
    total_balance: Money
    more: int = 0  # how many matched beyond the list


class InvoiceStatusResult(Result):
    detail: InvoiceDetail | None = None
    listing: InvoiceList | None = None


def invoice_line(invoice: Invoice, today: date) -> InvoiceLine:
    balance = invoice.balance
    overdue = (today - invoice.due_date).days if balance > 0 and invoice.status in OPEN_STATUSES else 0
    return InvoiceLine(
        number=invoice.number, customer=CustomerRef(code=invoice.customer.code, name=invoice.customer.name),
        issue_date=invoice.issue_date, due_date=invoice.due_date, total=invoice.total,
        paid=invoice.paid_amount, balance=balance, status=invoice.status, days_overdue=max(overdue, 0),
        credited=invoice.credited_amount,
        disputed=invoice.disputed, promised_on=invoice.promised_on,
    )


def invoice_detail(ctx: ToolContext, invoice: Invoice) -> InvoiceDetail:
    return invoice_details(ctx, [invoice])[invoice.id]


def invoice_details(ctx: ToolContext, invoices: list[Invoice]) -> dict[int, InvoiceDetail]:
    """Details of several invoices with one query for their payments, one for their orders, one for their
    delivery notes."""
    ids = {invoice.id for invoice in invoices}
    payments: dict[int, list[Payment]] = {invoice_id: [] for invoice_id in ids}
    for payment in ctx.session.scalars(select(Payment).where(Payment.invoice_id.in_(ids))
                                       .order_by(Payment.received_on, Payment.id)):
        payments[payment.invoice_id].append(payment)
    notes: dict[int, list[CreditNote]] = {invoice_id: [] for invoice_id in ids}
    for note in ctx.session.scalars(select(CreditNote).where(CreditNote.invoice_id.in_(ids))
                                    .order_by(CreditNote.issued_on, CreditNote.id)):
        notes[note.invoice_id].append(note)
    order_ids = {invoice.order_id for invoice in invoices if invoice.order_id}
    orders = dict(ctx.session.execute(select(SalesOrder.id, SalesOrder.number).where(SalesOrder.id.in_(order_ids)))
                  .all()) if order_ids else {}
    shipment_ids = {invoice.shipment_id for invoice in invoices if invoice.shipment_id}
    deliveries = dict(ctx.session.execute(select(Shipment.id, Shipment.number)
                                          .where(Shipment.id.in_(shipment_ids))).all()) if shipment_ids else {}
    return {invoice.id: InvoiceDetail(
        invoice=invoice_line(invoice, ctx.today), currency=ctx.rules.currency,
        order_number=orders.get(invoice.order_id), delivery_number=deliveries.get(invoice.shipment_id),
        revenue=invoice.amount, cost=invoice.cost,
        dispute_reason=invoice.dispute_reason if invoice.disputed else None,
        promised_amount=invoice.promised_amount,
        payments=[PaymentView(amount=p.amount, received_on=p.received_on, method=p.method,
                              reference=p.reference) for p in payments[invoice.id]],
        credit_notes=[credit_note_view(note) for note in notes[invoice.id]],
    ) for invoice in invoices}


def invoice_reminders(ctx: ToolContext, invoice: Invoice) -> tuple[list[ReminderLine], int]:
    """The latest reminders of an invoice, oldest first, and how many older ones are left out."""
    query = (select(Reminder, Member.name).outerjoin(Member, Member.slack_user_id == Reminder.recipient)
             .where(Reminder.invoice_id == invoice.id).order_by(Reminder.due_at.desc(), Reminder.id.desc()))
    rows = ctx.session.execute(query).all()
    lines = [ReminderLine(
        stage=r.stage, recipient=r.recipient, recipient_name=name, status=r.status,
        at=((r.sent_at if r.status == "sent" and r.sent_at else r.due_at).astimezone(ctx.actor.tz)),
        detail=r.skip_reason if r.status == "skipped" else r.last_error if r.status == "failed" else None,
    ) for r, name in rows[:REMINDER_LIMIT]]
    return lines[::-1], max(len(rows) - REMINDER_LIMIT, 0)


class InvoiceStatusArgs(Args):
    invoice_number: str | None = None
    customer: str | None = Field(None, description="customer name or code")
    only_overdue: bool = Field(False, description="only past due")
    rep: str | None = Field(None, description="the rep's Slack id")
    product: str | None = Field(None, description="a SKU on the invoice")
    period: str | None = Field(None, description="issued in, e.g. March, last-month")
    min_total: Money | None = Field(None, ge=0, description="totals from this amount up")
    status: Literal["open", "paid", "all"] = "open"

    @property
    def searches(self) -> bool:
        return any((self.customer, self.only_overdue, self.rep, self.product, self.period,
                    self.min_total is not None, self.status != "open"))


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def invoice_status(ctx: ToolContext, args: InvoiceStatusArgs) -> InvoiceStatusResult:
    """One invoice's status, payments and reminders, or invoices found by customer, rep, product, period,
    amount or status (open by default)."""
    if args.invoice_number:
        invoice = resolve_invoice(ctx, args.invoice_number)
        reminders, more = invoice_reminders(ctx, invoice)
        ctx.viewed("invoice", [invoice.number])
        return InvoiceStatusResult(detail=invoice_detail(ctx, invoice).model_copy(
            update={"reminders": reminders, "more_reminders": more}))
    if not args.searches:
        raise InvalidInput("Which invoice or customer?", hint="Give an invoice number (INV-2026-00042) or a customer.")
    query = search_filters(ctx, args, select(Invoice).order_by(Invoice.due_date, Invoice.id))
    customer = resolve_customer(ctx, args.customer) if args.customer else None
    if customer:
        query = query.where(Invoice.customer_id == customer.id)
    elif not ctx.sees_all:
        query = query.join(Customer, Invoice.customer_id == Customer.id).where(
            Customer.owner_rep == ctx.actor.user_id
        )
    if args.only_overdue:
        query = query.where(Invoice.due_date < ctx.today)
    rows = ctx.session.scalars(query).unique().all()
    lines = [invoice_line(i, ctx.today) for i in rows]
    ctx.viewed("invoice", [ln.number for ln in lines[:LIST_LIMIT]])
    return InvoiceStatusResult(listing=InvoiceList(
        customer=CustomerRef(code=customer.code, name=customer.name) if customer else None,
        only_overdue=args.only_overdue, currency=ctx.rules.currency, invoices=lines[:LIST_LIMIT],
        total_balance=sum((ln.balance for ln in lines), ZERO),
        more=max(len(lines) - LIST_LIMIT, 0),
    ))


def search_filters(ctx: ToolContext, args: InvoiceStatusArgs, query: Select) -> Select:
    """The rep, product, period, amount and status asked for (the customer and overdue are the caller's)."""
    query = query.where({"open": IS_OPEN, "paid": Invoice.status.in_(("paid", "credited")),
                         "all": Invoice.status != "void"}[args.status])
    if args.rep:
        query = query.where(Invoice.rep == member_named(ctx, args.rep, "or leave the rep out"))
    if args.product:
        query = query.where(Invoice.order_id.in_(select(OrderLine.order_id)
                                                 .where(OrderLine.sku == args.product.strip().upper())))
    if args.period:
        period = parse_period(args.period, ctx.today)
        query = query.where(Invoice.issue_date >= period.start, Invoice.issue_date <= period.end)
    if args.min_total is not None:
        query = query.where(Invoice.total >= args.min_total)
    return query
