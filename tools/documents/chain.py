"""The delivery note and the credit note as documents a customer receives, and their read tools."""

from __future__ import annotations

from sqlalchemy import select

from core.money import fmt
from db.models import CreditNote, Invoice, Product, Shipment
from tools.context import ToolContext
from tools.documents.files import READERS, DocumentFile, _file
from tools.documents.invoice import customer_party
from tools.documents.model import DocumentData, Line, Table, Total
from tools.lookup import resolve_credit_note, resolve_shipment
from tools.registry import tool
from tools.schemas import Args, CustomerRef


def delivery_data(ctx: ToolContext, shipment: Shipment) -> DocumentData:
    names = dict(ctx.session.execute(select(Product.sku, Product.name)
                                     .where(Product.sku.in_([ln.sku for ln in shipment.lines]))).all())
    invoice = ctx.session.scalar(select(Invoice.number).where(Invoice.shipment_id == shipment.id))
    facts = [("Order", shipment.order.number), ("Shipped on", shipment.shipped_on.isoformat()),
             ("Carrier", shipment.carrier or "-"), ("Tracking", shipment.tracking or "-")]
    if invoice:
        facts.append(("Invoice", invoice))
    if shipment.delivered_on:
        facts.append(("Delivered", f"{shipment.delivered_on} signed by {shipment.signed_by or '-'}"))
    return DocumentData(
        kind="delivery", title="Delivery note / 送货单", number=shipment.number, date=shipment.shipped_on,
        generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(shipment.customer), facts=facts,
        tables=[Table("Shipped", ("SKU", "Description", "Qty"),
                      [Line((ln.sku, names.get(ln.sku, ""), str(ln.quantity))) for ln in shipment.lines],
                      numeric=frozenset({2}), widths=(2.5, 6, 1.2))],
        totals=[], notes=["Received in good order: ____________________  Date: __________"],
    )


def credit_note_data(ctx: ToolContext, note: CreditNote) -> DocumentData:
    lines = [Line((ln.sku, str(ln.quantity), fmt(ln.unit_price), fmt(ln.amount))) for ln in note.lines]
    if not lines:
        lines = [Line(("", "1", fmt(note.amount), fmt(note.amount)))]
    invoice = note.invoice
    return DocumentData(
        kind="credit-note", title="Credit note / 贷项通知单", number=note.number, date=note.issued_on,
        generated_at=ctx.now, currency=ctx.rules.currency, seller=ctx.rules.seller,
        customer=customer_party(note.customer),
        facts=[("For invoice", invoice.number), ("Invoice date", invoice.issue_date.isoformat()),
               ("Reason", note.reason), ("Kind", note.kind)],
        tables=[Table("Credited", ("SKU", "Qty", "Unit price (net)", "Amount"), lines,
                      numeric=frozenset({1, 2, 3}))],
        totals=[Total("Credited", note.amount, True), Total("Invoice balance now", invoice.balance)],
    )


class DeliveryDocumentArgs(Args):
    delivery_number: str


@tool("read", READERS)
def delivery_note_document(ctx: ToolContext, args: DeliveryDocumentArgs) -> DocumentFile:
    """A delivery note as a PDF, with a line for the customer's signature."""
    shipment = resolve_shipment(ctx, args.delivery_number)
    ctx.viewed("delivery", [shipment.number])
    customer = CustomerRef(code=shipment.customer.code, name=shipment.customer.name)
    units = sum(ln.quantity for ln in shipment.lines)
    doc = delivery_data(ctx, shipment)
    return _file(doc, customer, f"{units} units shipped; order value", shipment.order.total)


class CreditNoteDocumentArgs(Args):
    credit_note_number: str


@tool("read", READERS)
def credit_note_document(ctx: ToolContext, args: CreditNoteDocumentArgs) -> DocumentFile:
    """A credit note as a PDF."""
    note = resolve_credit_note(ctx, args.credit_note_number)
    ctx.viewed("credit_note", [note.number])
    customer = CustomerRef(code=note.customer.code, name=note.customer.name)
    return _file(credit_note_data(ctx, note), customer, "credited", note.amount)
