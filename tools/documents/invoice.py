"""An invoice and a payment receipt (收据) as documents."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.money import ZERO, fmt
from db.models import Customer, Invoice, OrderLine, Payment, Product, SalesOrder
from tools.context import ToolContext
from tools.documents.model import DocumentData, Line, Party, Table, Total


def customer_party(customer: Customer) -> Party:
    """Address and tax id where the customer record has them (they come with editable customer records)."""
    return Party(name=customer.name, code=customer.code, address=customer.billing_address or "",
                 tax_id=customer.tax_id or "", email=customer.email or "")


def _rate(invoice: Invoice) -> str:
    if not invoice.amount:
        return "0%"
    return f"{(invoice.tax / invoice.amount * 100).quantize(Decimal('0.1')).normalize():f}%"


def invoice_data(ctx: ToolContext, invoice: Invoice) -> DocumentData:
    order = ctx.session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    rate = _rate(invoice)
    rows = ctx.session.execute(
        select(OrderLine, Product.name).join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == invoice.order_id).order_by(OrderLine.id)).all() if order else []
    lines = [Line((ln.sku, name, str(ln.quantity), fmt(ln.unit_price), rate, fmt(ln.line_total)))
             for ln, name in rows]
    if not lines:  # an imported invoice has no order lines: one line for its amount
        lines = [Line(("", f"Invoice {invoice.number}", "1", fmt(invoice.amount), rate, fmt(invoice.amount)))]
    facts = [("Payment terms", f"{invoice.customer.payment_terms_days} days net"),
             ("Due date", invoice.due_date.isoformat()), ("Status", invoice.status.replace("_", " "))]
    if order:
        facts.append(("Order", order.number + (f"  (tracking {order.tracking})" if order.tracking else "")))
    return DocumentData(
        kind="invoice", title="Invoice / 发票", number=invoice.number, date=invoice.issue_date,
        generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(invoice.customer), facts=facts,
        tables=[Table("Lines", ("SKU", "Description", "Qty", "Unit price", "Tax", "Amount (net)"),
                      lines, numeric=frozenset({2, 3, 4, 5}), widths=(2.4, 5, 1, 2.2, 1.2, 2.6))],
        totals=[Total("Net", invoice.amount), Total(f"Tax {rate}", invoice.tax), Total("Total", invoice.total, True),
                Total("Paid", invoice.paid_amount), Total("Balance due", invoice.balance, True)],
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
