"""Corrections to an issued invoice besides credit notes: void one nothing was paid on, and close a dispute
(with or without a credit note), after which chasing resumes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.errors import Conflict
from core.money import fmt
from core.roles import Role
from tools.context import ToolContext
from tools.credit_notes import issue, require_manager_above
from tools.invoices import CreditNoteView, InvoiceDetail, credit_note_view, invoice_detail
from tools.lookup import lock_customer, resolve_invoice
from tools.registry import resolves, tool
from tools.schemas import Args, PositiveMoney, Result


class InvoiceCorrection(Result):
    action: Literal["void", "resolve"]
    note: str
    invoice: InvoiceDetail
    credit_note: CreditNoteView | None = None

    def describe(self, done: bool) -> str:
        inv, cur = self.invoice.invoice, self.invoice.currency
        if self.action == "void":
            return (f"{inv.number} is void ({self.note}); its number stays used." if done else
                    f"Void {inv.number} ({inv.customer.name}, {fmt(inv.total, cur)}): {self.note}.")
        credit = self.credit_note
        if not done:
            with_credit = f" with a credit note of {fmt(credit.amount, cur)}" if credit else ""
            return (f"Close the dispute on {inv.number} ({inv.customer.name}){with_credit}: {self.note}; "
                    f"balance after: {fmt(inv.balance, cur)}.")
        with_credit = f" with credit note {credit.number} of {fmt(credit.amount, cur)}" if credit else ""
        return (f"Dispute on {inv.number} closed{with_credit}; balance {fmt(inv.balance, cur)}, "
                "chasing resumes." if inv.balance > 0 else f"Dispute on {inv.number} closed{with_credit}; "
                "nothing is owed on it.")


def _locked_invoice(ctx: ToolContext, number: str):
    invoice = resolve_invoice(ctx, number)
    lock_customer(ctx, invoice.customer_id)
    return resolve_invoice(ctx, invoice.number, lock=True)


class VoidInvoiceArgs(Args):
    invoice_number: str
    reason: str = Field(min_length=3, max_length=500)


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def void_invoice(ctx: ToolContext, args: VoidInvoiceArgs) -> InvoiceCorrection:
    """Void an invoice nothing was paid or credited on; its number is kept, never reused."""
    invoice = _locked_invoice(ctx, args.invoice_number)
    if invoice.status == "void":
        raise Conflict(f"{invoice.number} is void already.")
    hint = f"Issue a credit note for what is left instead: `credit-note {invoice.number} {invoice.balance} REASON`."
    if invoice.paid_amount > 0:
        raise Conflict(f"{invoice.number} has {fmt(invoice.paid_amount)} paid on it, so it cannot be voided.",
                       hint=hint if invoice.balance > 0 else None)
    if invoice.credited_amount > 0:
        raise Conflict(f"{invoice.number} has credit notes on it, so it cannot be voided.",
                       hint=hint if invoice.balance > 0 else None)
    # Voiding takes the whole amount off the books, like a credit note of it: the same manager limit.
    require_manager_above(ctx, invoice.total, f"Voiding {invoice.number}")
    before = {"status": invoice.status}
    invoice.status = "void"
    ctx.audit("void_invoice", "invoice", invoice.number, before, {"status": "void", "reason": args.reason})
    return InvoiceCorrection(action="void", note=args.reason, invoice=invoice_detail(ctx, invoice))


@resolves(void_invoice)
def _resolve_void(ctx: ToolContext, args: VoidInvoiceArgs) -> VoidInvoiceArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})


class ResolveDisputeArgs(Args):
    invoice_number: str
    note: str = Field(min_length=3, max_length=500, description="how it was settled")
    credit: PositiveMoney | None = Field(None, description="a credit note to issue with it, tax included")


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def resolve_dispute(ctx: ToolContext, args: ResolveDisputeArgs) -> InvoiceCorrection:
    """Close an invoice's dispute, optionally with a credit note; chasing resumes."""
    invoice = _locked_invoice(ctx, args.invoice_number)
    if not invoice.disputed:
        raise Conflict(f"{invoice.number} is not disputed.", hint="Only a disputed invoice's dispute can be closed.")
    before = {"disputed": True, "reason": invoice.dispute_reason}
    note = issue(ctx, invoice, "dispute", args.credit, args.note) if args.credit else None
    invoice.disputed, invoice.last_contact_at = False, ctx.now
    ctx.audit("resolve_dispute", "invoice", invoice.number, before,
              {"disputed": False, "note": args.note, "credit_note": note.number if note else None})
    return InvoiceCorrection(action="resolve", note=args.note, invoice=invoice_detail(ctx, invoice),
                             credit_note=credit_note_view(note) if note else None)


@resolves(resolve_dispute)
def _resolve_resolve(ctx: ToolContext, args: ResolveDisputeArgs) -> ResolveDisputeArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number})
