"""The read tools that hand out a customer's document as a PDF: invoice, payment receipt, statement.
Whoever may see the customer may have the document: sales their own customers, everyone else all."""

from __future__ import annotations

from datetime import date

from pydantic import Field
from sqlalchemy import select

from core.errors import InvalidInput, NotFound
from core.money import fmt
from core.roles import Role
from db.models import Invoice, Payment
from tools.context import ToolContext
from tools.documents.einvoice import EInvoice, e_invoice, factur_x_pdf
from tools.documents.invoice import billed, invoice_data, payment_id, receipt_data
from tools.documents.model import DocumentData
from tools.documents.pdf import render
from tools.documents.statement import statement_data
from tools.lookup import resolve_customer, resolve_invoice
from tools.registry import tool
from tools.schemas import Args, CustomerRef, FlexDate, Money, Result

READERS = {Role.SALES, Role.COLLECTOR, Role.MANAGER}


class DocumentFile(Result):
    """A rendered document. Its bytes travel to the front end, never into a log or the model's view."""

    kind: str
    title: str
    number: str
    date: date
    customer: CustomerRef
    amount_label: str
    amount: Money
    currency: str
    filename: str
    content: bytes = Field(exclude=True, repr=False)
    # An invoice's EN 16931 XML, also inside `content` (a Factur-X PDF); when it could not be made soundly,
    # what is missing for it.
    e_invoice: bytes | None = Field(None, exclude=True, repr=False)
    e_invoice_missing: list[str] = Field(default_factory=list)

    def describe(self, done: bool) -> str:
        kind = "Factur-X PDF with its EN 16931 e-invoice inside" if self.e_invoice else "PDF"
        return (f"{self.title} {self.number} for {self.customer.name}: {self.amount_label} "
                f"{fmt(self.amount, self.currency)} ({kind}, {max(len(self.content) // 1024, 1)} KB).")


def _file(doc: DocumentData, customer: CustomerRef, label: str, amount: Money, content: bytes | None = None,
          e_invoice: EInvoice | None = None) -> DocumentFile:
    return DocumentFile(kind=doc.kind, title=doc.title.split(" / ")[0], number=doc.number, date=doc.date,
                        customer=customer, amount_label=label, amount=amount, currency=doc.currency,
                        filename=f"{doc.number}.pdf", content=content or render(doc),
                        e_invoice=e_invoice.xml if e_invoice else None,
                        e_invoice_missing=list(e_invoice.missing) if e_invoice else [])


class InvoiceDocumentArgs(Args):
    invoice_number: str


@tool("read", READERS)
def invoice_document(ctx: ToolContext, args: InvoiceDocumentArgs) -> DocumentFile:
    """An invoice as a PDF to send to the customer (a Factur-X PDF, its EN 16931 XML inside, when the seller's
    details allow)."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    ctx.viewed("invoice", [invoice.number])
    customer = CustomerRef(code=invoice.customer.code, name=invoice.customer.name)
    bill = billed(ctx, invoice)
    doc = invoice_data(ctx, bill)
    xml = e_invoice(bill, ctx.rules.seller, ctx.rules.currency)
    pdf = render(doc, archival=xml.xml is not None)
    if xml.xml is not None:
        pdf = factur_x_pdf(pdf, xml.xml, title=f"{doc.title} {doc.number}", author=ctx.rules.seller.name,
                           subject=f"Invoice {doc.number} dated {doc.date.isoformat()} to {customer.name}")
    return _file(doc, customer, "balance due", invoice.balance, pdf, xml)


class PaymentReceiptArgs(Args):
    receipt_number: str = Field(description="RCPT- and the payment's id, e.g. RCPT-17")


@tool("read", READERS)
def payment_receipt(ctx: ToolContext, args: PaymentReceiptArgs) -> DocumentFile:
    """A payment receipt (收据) as a PDF, by receipt number (RCPT- and the payment's id)."""
    wanted = payment_id(args.receipt_number)
    if wanted is None:
        raise InvalidInput(f"{args.receipt_number!r} is not a receipt number.",
                           hint="A receipt is numbered RCPT- and its payment's id, e.g. RCPT-17.")
    row = ctx.session.execute(select(Payment, Invoice).join(Invoice, Invoice.id == Payment.invoice_id)
                              .where(Payment.id == wanted)).first()
    if row is None or not ctx.can_see(row[1].customer):  # another rep's receipt reads as one that does not exist
        ctx.missed("receipt", args.receipt_number)
        raise NotFound(f"No receipt {args.receipt_number!r}.", hint="Receipt numbers look like RCPT-17."
                       + ("" if ctx.sees_all else " You see only the receipts of customers you own."))
    payment, invoice = row
    ctx.viewed("receipt", [args.receipt_number.upper()])
    customer = CustomerRef(code=invoice.customer.code, name=invoice.customer.name)
    return _file(receipt_data(ctx, payment, invoice), customer, "received", payment.amount)


class CustomerStatementArgs(Args):
    customer: str = Field(description="customer name or code")
    as_of: FlexDate | None = Field(None, description="default today")


@tool("read", READERS)
def customer_statement(ctx: ToolContext, args: CustomerStatementArgs) -> DocumentFile:
    """A customer's statement of account as a PDF: open items, recent payments, ageing, total outstanding."""
    customer = resolve_customer(ctx, args.customer)
    as_of = args.as_of or ctx.today
    if as_of > ctx.today:
        raise InvalidInput(f"{as_of} is in the future.", hint="A statement is as of today or an earlier day.")
    doc, total = statement_data(ctx, customer, as_of)
    ctx.viewed("statement", [doc.number])
    return _file(doc, CustomerRef(code=customer.code, name=customer.name), "total outstanding", total)


# `python app.py document KIND NUMBER`: each kind's tool and the argument its number (or customer) goes in.
# A new kind of document is one more line here and one more tool above.
KINDS = {"invoice": ("invoice_document", "invoice_number"), "receipt": ("payment_receipt", "receipt_number"),
         "statement": ("customer_statement", "customer"), "delivery": ("delivery_note_document", "delivery_number"),
         "credit-note": ("credit_note_document", "credit_note_number")}
