"""An invoice and a payment receipt (收据) as documents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.money import ZERO, fmt, money
from db.models import Customer, Invoice, OrderLine, Payment, Product, SalesOrder, Shipment, ShipmentLine
from tools.context import ToolContext
from tools.documents.model import DocumentData, Line, Party, Table, Total


def customer_party(customer: Customer) -> Party:
    """Address and tax id where the customer record has them (they come with editable customer records)."""
    return Party(name=customer.name, code=customer.code, address=customer.billing_address or "",
                 tax_id=customer.tax_id or "", email=customer.email or "")


@dataclass(frozen=True)
class BilledLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal  # net
    net: Decimal


@dataclass(frozen=True)
class Billed:
    """What an invoice bills, line by line, and the documents it refers to: the one source of both the
    invoice PDF and its e-invoice, so that the two never tell different stories."""

    invoice: Invoice
    lines: list[BilledLine]
    order: SalesOrder | None = None
    shipment: Shipment | None = None


def billed(ctx: ToolContext, invoice: Invoice) -> Billed:
    """A shipment's invoice bills what that shipment carried; an older invoice of a whole order, its order's
    lines; an imported invoice with neither, one line for its amount."""
    order = ctx.session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    shipment = ctx.session.get(Shipment, invoice.shipment_id) if invoice.shipment_id else None
    if shipment is not None:
        rows = ctx.session.execute(
            select(ShipmentLine.quantity, OrderLine, Product.name)
            .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
            .join(Product, Product.id == OrderLine.product_id).where(ShipmentLine.shipment_id == shipment.id)
            .order_by(ShipmentLine.id)).all()
        lines = [BilledLine(ln.sku, name, qty, ln.unit_price, money(ln.unit_price * qty)) for qty, ln, name in rows]
    elif order is not None:
        rows = ctx.session.execute(select(OrderLine, Product.name).join(Product, Product.id == OrderLine.product_id)
                                   .where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
        lines = [BilledLine(ln.sku, name, ln.quantity, ln.unit_price, ln.line_total) for ln, name in rows]
    else:
        lines = []
    if not lines:
        lines = [BilledLine("", f"Invoice {invoice.number}", 1, invoice.amount, invoice.amount)]
    return Billed(invoice, lines, order, shipment)


def tax_percent(invoice: Invoice) -> Decimal:
    """The invoice's tax as a percentage of its net, as issued (today's rate may differ)."""
    if not invoice.amount:
        return ZERO
    return (invoice.tax / invoice.amount * 100).quantize(Decimal("0.01"))


def invoice_data(ctx: ToolContext, bill: Billed) -> DocumentData:
    invoice, order, shipment = bill.invoice, bill.order, bill.shipment
    rate = f"{tax_percent(invoice).normalize():f}%"
    lines = [Line((ln.sku, ln.name, str(ln.quantity), fmt(ln.unit_price), rate, fmt(ln.net))) for ln in bill.lines]
    facts = [("Payment terms", f"{invoice.customer.payment_terms_days} days net"),
             ("Due date", invoice.due_date.isoformat()), ("Status", invoice.status.replace("_", " "))]
    if order:
        tracking = shipment.tracking if shipment else order.tracking
        facts.append(("Order", order.number + (f"  (tracking {tracking})" if tracking else "")))
    if shipment:
        facts.append(("Delivery note", f"{shipment.number}, shipped {shipment.shipped_on.isoformat()}"))
    credited = [Total("Credited", invoice.credited_amount)] if invoice.credited_amount else []
    return DocumentData(
        kind="invoice", title="Invoice / 发票", number=invoice.number, date=invoice.issue_date,
        generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(invoice.customer), facts=facts,
        tables=[Table("Lines", ("SKU", "Description", "Qty", "Unit price", "Tax", "Amount (net)"),
                      lines, numeric=frozenset({2, 3, 4, 5}), widths=(2.4, 5, 1, 2.2, 1.2, 2.6))],
        totals=[Total("Net", invoice.amount), Total(f"Tax {rate}", invoice.tax), Total("Total", invoice.total, True),
                Total("Paid", invoice.paid_amount), *credited, Total("Balance due", invoice.balance, True)],
    )


def receipt_data(ctx: ToolContext, payment: Payment, invoice: Invoice) -> DocumentData:
    """A receipt is numbered by the payment it acknowledges: RCPT-<payment id>."""
    paid_before = ctx.session.scalars(select(Payment.amount).where(
        Payment.invoice_id == invoice.id, Payment.id != payment.id,
        (Payment.received_on < payment.received_on)
        | ((Payment.received_on == payment.received_on) & (Payment.id < payment.id)))).all()
    balance_after = invoice.total - sum(paid_before, ZERO) - payment.amount
    facts = [("Received on", payment.received_on.isoformat()), ("Method", payment.method),
             ("Reference", payment.reference or "-"), ("For invoice", invoice.number),
             ("Invoice due", invoice.due_date.isoformat())]
    return DocumentData(
        kind="receipt", title="Payment receipt / 收据", number=receipt_number(payment.id), date=payment.received_on,
        generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(invoice.customer), facts=facts,
        tables=[Table("Received", ("Invoice", "Invoice total", "Paid before", "This payment", "Balance after"),
                      [Line((invoice.number, fmt(invoice.total), fmt(sum(paid_before, ZERO)), fmt(payment.amount),
                             fmt(balance_after)))], numeric=frozenset({1, 2, 3, 4}))],
        totals=[Total("Amount received", payment.amount, True), Total("Balance after this payment", balance_after)],
        notes=["Received with thanks."],
    )


RECEIPT_PREFIX = "RCPT-"


def receipt_number(payment_id: int) -> str:
    return f"{RECEIPT_PREFIX}{payment_id}"


def payment_id(number: str) -> int | None:
    """RCPT-17 or 17 -> 17."""
    text = number.strip().upper().removeprefix(RECEIPT_PREFIX)
    return int(text) if text.isdigit() and len(text) < 18 else None
