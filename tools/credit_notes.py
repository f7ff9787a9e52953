"""Credit notes: a credit against an invoice (price correction, goodwill, small-balance write-off), and
goods returned, back in stock and credited at the invoiced price. Each lowers what the invoice owes."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.money import fmt, money
from core.roles import SUPERVISES, Role
from core.settlement import settled_status
from db.models import OPEN_STATUSES, CreditNote, CreditNoteLine, Invoice, OrderLine
from db.numbering import next_number
from tools.context import ToolContext
from tools.invoices import CreditNoteView, InvoiceDetail, credit_note_view, invoice_detail
from tools.lookup import lock_customer, resolve_credit_note, resolve_invoice, resolve_products
from tools.orders import MAX_QUANTITY
from tools.registry import resolves, tool
from tools.schemas import Args, PositiveMoney, Result


class CreditNoteResult(Result):
    credit_note: CreditNoteView
    invoice: InvoiceDetail

    def describe(self, done: bool) -> str:
        note, inv, cur = self.credit_note, self.invoice.invoice, self.invoice.currency
        goods = ", ".join(f"{ln.quantity} {ln.sku}" for ln in note.lines)
        what = f"return of {goods} (back in stock)" if goods else note.reason
        if not done:  # a dry run: the invoice already shows the balance after; the number is taken on confirm
            return (f"Issue a credit note of {fmt(note.amount, cur)} on {inv.number} ({inv.customer.name}) for "
                    f"{what}; balance after: {fmt(inv.balance, cur)}.")
        return (f"Credit note {note.number} of {fmt(note.amount, cur)} issued on {inv.number} for {what}; "
                f"balance {fmt(inv.balance, cur)} ({inv.status.replace('_', ' ')}).")


def require_manager_above(ctx: ToolContext, amount: Decimal, what: str) -> None:
    """Above the rules' amount a correction is a manager's: a collector's request is refused, not queued."""
    limit = ctx.rules.credit_note_manager_above
    if amount > limit and ctx.actor.role not in SUPERVISES:
        raise NotAllowed(f"{what} of {fmt(amount, ctx.rules.currency)} is above "
                         f"{fmt(limit, ctx.rules.currency)}, so a manager must issue it.",
                         hint="Ask a manager to send the same command; nothing was written.")


def issue(ctx: ToolContext, invoice: Invoice, kind: str, amount: Decimal, reason: str,
          lines: list[CreditNoteLine] | None = None) -> CreditNote:
    """Take `amount` off the locked invoice's balance with a new credit note, numbered gaplessly."""
    require_manager_above(ctx, amount, "A credit note")
    if invoice.status not in OPEN_STATUSES:
        raise Conflict(f"{invoice.number} is {invoice.status.replace('_', ' ')}; nothing is owed on it to credit.")
    balance = invoice.balance
    if amount > balance:
        raise InvalidInput(f"A credit note of {fmt(amount)} is more than the open balance of {invoice.number} "
                           f"({fmt(balance)}).",
                           hint=f"Credit at most {fmt(balance)}; money already paid is refunded outside Tally.")
    before = {"credited_amount": str(invoice.credited_amount), "status": invoice.status}
    note = CreditNote(number=next_number(ctx.session, "CN", ctx.today.year), invoice_id=invoice.id,
                      invoice=invoice, customer_id=invoice.customer_id, customer=invoice.customer, kind=kind,
                      amount=amount, reason=reason, issued_on=ctx.today, issued_by=ctx.requested_by,
                      created_at=ctx.now, lines=lines or [])
    ctx.session.add(note)
    invoice.credited_amount += amount
    invoice.status = settled_status(invoice.total, invoice.paid_amount, invoice.credited_amount)
    if invoice.status == "paid":  # money and this credit settle it today
        invoice.paid_on = ctx.today
    ctx.session.flush()
    ctx.audit(f"credit_note_{kind}", "invoice", invoice.number, before,
              {"credited_amount": str(invoice.credited_amount), "status": invoice.status,
               "credit_note": note.number, "amount": str(amount), "reason": reason})
    return note


class IssueCreditNoteArgs(Args):
    invoice_number: str
    amount: PositiveMoney = Field(description="tax included; at most the open balance")
    reason: str = Field(min_length=3, max_length=500, description="price correction, goodwill, write-off...")


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def issue_credit_note(ctx: ToolContext, args: IssueCreditNoteArgs) -> CreditNoteResult:
    """Issue a credit note that lowers what an invoice owes (price correction, goodwill, write-off)."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    lock_customer(ctx, invoice.customer_id)
    invoice = resolve_invoice(ctx, invoice.number, lock=True)
    note = issue(ctx, invoice, "credit", args.amount, args.reason)
    return CreditNoteResult(credit_note=credit_note_view(note), invoice=invoice_detail(ctx, invoice))


@resolves(issue_credit_note)
def _resolve_credit_note(ctx: ToolContext, args: IssueCreditNoteArgs) -> IssueCreditNoteArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})


class ReturnGoodsArgs(Args):
    invoice_number: str
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="whole units coming back")
    sku: str
    reason: str | None = Field(None, max_length=500)


def _returnable(ctx: ToolContext, invoice: Invoice, sku: str) -> tuple[OrderLine, int]:
    """The invoiced line of `sku` and how many of it may still come back."""
    lines = ctx.session.scalars(select(OrderLine).where(OrderLine.order_id == invoice.order_id)
                                .order_by(OrderLine.id)).all() if invoice.order_id else []
    line = next((ln for ln in lines if ln.sku.upper() == sku.upper()), None)
    if line is None:
        skus = ", ".join(ln.sku for ln in lines) or "none"
        raise NotFound(f"{sku} is not on {invoice.number}.", hint=f"Its lines: {skus}.")
    returned = ctx.session.scalar(
        select(func.coalesce(func.sum(CreditNoteLine.quantity), 0))
        .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
        .where(CreditNote.invoice_id == invoice.id, CreditNoteLine.sku == line.sku))
    return line, line.quantity - int(returned)


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def return_goods(ctx: ToolContext, args: ReturnGoodsArgs) -> CreditNoteResult:
    """Take goods back on an invoice: back in stock, credited at the invoiced price with its tax."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    lock_customer(ctx, invoice.customer_id)
    invoice = resolve_invoice(ctx, invoice.number, lock=True)
    line, left = _returnable(ctx, invoice, args.sku)
    if args.quantity > left:
        raise InvalidInput(f"{invoice.number} invoiced {line.quantity} {line.sku}; {line.quantity - left} already "
                           f"came back, so at most {left} can be returned.")
    net = money(line.unit_price * args.quantity)
    # The invoice's own tax on it: the rate it was issued with, not today's.
    tax = money(net * invoice.tax / invoice.amount) if invoice.amount else Decimal(0)
    product = resolve_products(ctx, [line.sku], lock=True)[line.sku.upper()]
    product.stock_on_hand += args.quantity
    returned = CreditNoteLine(product_id=product.id, sku=line.sku, quantity=args.quantity,
                              unit_price=line.unit_price, amount=net + tax)
    note = issue(ctx, invoice, "return", net + tax, args.reason or f"return of {args.quantity} {line.sku}",
                 [returned])
    ctx.audit("return_goods", "product", product.sku, None,
              {"quantity": args.quantity, "invoice": invoice.number, "credit_note": note.number})
    return CreditNoteResult(credit_note=credit_note_view(note), invoice=invoice_detail(ctx, invoice))


@resolves(return_goods)
def _resolve_return(ctx: ToolContext, args: ReturnGoodsArgs) -> ReturnGoodsArgs:
    invoice = resolve_invoice(ctx, args.invoice_number)
    return args.model_copy(update={"invoice_number": invoice.number, "sku": _returnable(ctx, invoice, args.sku)[0].sku})


class CreditNoteStatusArgs(Args):
    credit_note_number: str = Field(description="CN-YYYY-NNNNN")


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def credit_note_status(ctx: ToolContext, args: CreditNoteStatusArgs) -> CreditNoteView:
    """One credit note: its invoice, amount, reason and any goods returned."""
    note = resolve_credit_note(ctx, args.credit_note_number)
    ctx.viewed("credit_note", [note.number])
    return credit_note_view(note)
