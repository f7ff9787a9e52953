"""record_payment: applies a receipt to an invoice; a repeated reference is recognised, not doubled."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.dunning import SETTLED
from core.errors import Conflict, InvalidInput
from core.money import fmt
from core.roles import Role
from core.settlement import settled_status
from db.models import Invoice, Payment
from tools.context import ToolContext
from tools.invoices import InvoiceDetail, invoice_detail
from tools.lookup import lock_customer, resolve_invoice
from tools.registry import resolves, tool
from tools.schemas import Args, FlexDate, Money, PositiveMoney, Result


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CHEQUE = "cheque"
    CASH = "cash"
    OTHER = "other"


class PaymentResult(Result):
    amount: Money
    received_on: date
    reference: str | None
    invoice: InvoiceDetail
    method: str | None = None

    def describe(self, done: bool) -> str:
        inv, cur = self.invoice.invoice, self.invoice.currency
        if not done:  # previews are dry runs, so the invoice already shows the balance after
            how = f" by {self.method.replace('_', ' ')}" if self.method else ""
            ref = f', reference "{self.reference}"' if self.reference else ", no reference"
            return (f"Record a payment of {fmt(self.amount, cur)} on {inv.number} ({inv.customer.name}), "
                    f"received {self.received_on}{how}{ref}; balance after: {fmt(inv.balance, cur)}.")
        return (f"Payment of {fmt(self.amount, cur)} recorded on {inv.number}; "
                f"balance {fmt(inv.balance, cur)} ({inv.status}).")


class RecordPaymentArgs(Args):
    invoice_number: str
    amount: PositiveMoney
    received_on: FlexDate = Field(description="YYYY-MM-DD")
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    reference: str | None = Field(None, max_length=120, description="bank reference")


def apply_payment(ctx: ToolContext, invoice: Invoice, args: RecordPaymentArgs, source: str = "slack") -> Payment:
    """Shared by the tool and CSV import: validation, balance and status in one place."""
    if args.received_on > ctx.today:
        raise InvalidInput(f"Received date {args.received_on} is in the future.",
                           hint="Use the date the money arrived.")
    if args.reference:
        existing = ctx.session.scalar(
            select(Payment).where(Payment.source == source, Payment.reference == args.reference)
        )
        if existing is not None:
            raise Conflict(f"A payment with reference {args.reference!r} is already recorded "
                           f"({fmt(existing.amount)} on {existing.received_on}).")
    if invoice.status in SETTLED:
        raise Conflict(f"{invoice.number} is {invoice.status}; nothing is due on it.")
    balance = invoice.balance
    if args.amount > balance:
        raise InvalidInput(
            f"{fmt(args.amount)} is more than the balance of {invoice.number} ({fmt(balance)}).",
            hint=f"Record {fmt(balance)} on this invoice and the rest on the next one.",
        )
    before = {"paid_amount": str(invoice.paid_amount), "status": invoice.status}
    payment = Payment(
        invoice_id=invoice.id, customer_id=invoice.customer_id, amount=args.amount,
        received_on=args.received_on, method=args.method.value, reference=args.reference, source=source,
        recorded_by=ctx.actor.user_id, created_at=ctx.now,
    )
    ctx.session.add(payment)
    invoice.paid_amount += args.amount
    invoice.status = settled_status(invoice.total, invoice.paid_amount, invoice.credited_amount)
    if invoice.status == "paid":
        # Paid on the day the last of its money arrived, even when that payment is entered out of order.
        latest = ctx.session.scalar(select(func.max(Payment.received_on)).where(Payment.invoice_id == invoice.id))
        invoice.paid_on = max(filter(None, (latest, args.received_on)))
    ctx.audit("record_payment", "invoice", invoice.number, before,
              {"paid_amount": str(invoice.paid_amount), "status": invoice.status, "reference": args.reference})
    return payment


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def record_payment(ctx: ToolContext, args: RecordPaymentArgs) -> PaymentResult:
    """Record money received against an invoice."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    lock_customer(ctx, invoice.customer_id)
    invoice = resolve_invoice(ctx, invoice.number, lock=True)
    apply_payment(ctx, invoice, args)
    try:
        ctx.session.flush()
    except IntegrityError as exc:
        # The reference check above cannot see a parallel payment that is not committed yet (on another
        # customer's invoice, so not behind the same lock); the unique index stops it here instead.
        if args.reference and "reference" in str(exc.orig).lower():
            raise Conflict(f"A payment with reference {args.reference!r} was recorded by someone else a moment "
                           "ago, so this one was not recorded.",
                           hint="Look at that payment first; if this is another payment, give its own reference.",
                           ) from None
        raise
    return PaymentResult(amount=args.amount, received_on=args.received_on, reference=args.reference,
                         method=args.method.value, invoice=invoice_detail(ctx, invoice))


@resolves(record_payment)
def _resolve_payment(ctx: ToolContext, args: RecordPaymentArgs) -> RecordPaymentArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})
