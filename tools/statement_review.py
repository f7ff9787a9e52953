"""Review of the statement lines the import left to a person: apply one to an invoice, keep it as the
customer's unapplied cash, or mark it not a customer payment. Each decision is audited and made once."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import select

from core.errors import Conflict, InvalidInput, NotFound
from core.money import ZERO, fmt
from core.roles import Role
from db.models import Invoice, Payment
from db.models.banking import CustomerCredit, StatementLine
from tools.cash_application import keep_credit, learn_iban, pay_from_line
from tools.context import ToolContext
from tools.lookup import lock_customer, resolve_invoice
from tools.registry import tool
from tools.schemas import Args, Money, Result

OPEN_LINE = ("review", "unmatched")


class ReviewLineArgs(Args):
    line_id: int = Field(description="the statement line")
    decision: Literal["apply", "unapplied", "not_customer"]
    invoice_number: str | None = Field(None, description="with apply: the invoice it pays")


class ReviewLineResult(Result):
    line_id: int
    decision: str
    amount: Money
    applied: Money = ZERO
    credited: Money = ZERO
    invoice_number: str | None = None

    def describe(self, done: bool) -> str:
        if self.decision == "apply":
            rest = f", {fmt(self.credited)} kept as the customer's credit" if self.credited else ""
            head = "Applied" if done else "Apply"
            return f"{head} {fmt(self.applied)} of statement line {self.line_id} to {self.invoice_number}{rest}."
        if self.decision == "unapplied":
            what = f"kept as the customer's credit ({fmt(self.credited)})" if self.credited else "left unapplied"
            return f"Statement line {self.line_id} ({fmt(self.amount)}) {what}."
        return f"Statement line {self.line_id} ({fmt(self.amount)}) marked as not a customer payment."


def lock_open_line(ctx: ToolContext, line_id: int) -> StatementLine:
    line = ctx.session.get(StatementLine, line_id, with_for_update=True)
    if line is None or not line.credit:
        raise NotFound(f"No statement line {line_id} to review.")
    if line.status not in OPEN_LINE:
        raise Conflict(f"Statement line {line_id} was already decided ({line.status.replace('_', ' ')}"
                       + (f" by {line.decided_by}" if line.decided_by else "") + ").")
    return line


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def review_statement_line(ctx: ToolContext, args: ReviewLineArgs) -> ReviewLineResult:
    """Decide a bank statement line that waits for review: apply it to an invoice, keep it as unapplied cash,
    or mark it not a customer payment."""
    line = lock_open_line(ctx, args.line_id)
    result = ReviewLineResult(line_id=line.id, decision=args.decision, amount=line.amount)
    if args.decision == "apply":
        if not args.invoice_number:
            raise InvalidInput("Which invoice does this line pay?")
        invoice = resolve_invoice(ctx, args.invoice_number)
        lock_customer(ctx, invoice.customer_id)
        invoice = resolve_invoice(ctx, invoice.number, lock=True)
        part = min(line.amount, invoice.balance)
        pay_from_line(ctx, line, invoice, part)
        if line.amount > part:
            keep_credit(ctx, line, invoice.customer_id, line.amount - part)
        learn_iban(ctx, line, invoice.customer_id)
        line.customer_id = invoice.customer_id
        result = result.model_copy(update={"applied": part, "credited": line.amount - part,
                                           "invoice_number": invoice.number})
        status = "applied"
    elif args.decision == "unapplied" and line.customer_id is not None:
        keep_credit(ctx, line, line.customer_id, line.amount)
        result, status = result.model_copy(update={"credited": line.amount}), "credited"
    else:
        status = "not_customer" if args.decision == "not_customer" else "left_unapplied"
    before = {"status": line.status}
    line.status, line.decided_by, line.decided_at = status, ctx.requested_by, ctx.now
    ctx.audit("review_statement_line", "bank_statement_line", line.id, before,
              {"status": status, "invoice": result.invoice_number})
    ctx.session.flush()
    return result


class UndoLineArgs(Args):
    line_id: int = Field(description="the statement line whose application is undone")


class UndoLineResult(Result):
    line_id: int
    amount: Money
    invoices: list[str]
    credit_removed: Money = ZERO

    def describe(self, done: bool) -> str:
        what = ", ".join(self.invoices) or "no invoice"
        credit = f" and its credit of {fmt(self.credit_removed)}" if self.credit_removed else ""
        head = "Undid" if done else "Undo"
        return f"{head} statement line {self.line_id} ({fmt(self.amount)}): payments on {what}{credit}; back to review."


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def undo_statement_line(ctx: ToolContext, args: UndoLineArgs) -> UndoLineResult:
    """Undo what a bank statement line did (its payments, the credit it left); the line goes back to review."""
    line = ctx.session.get(StatementLine, args.line_id, with_for_update=True)
    if line is None or line.status not in ("applied", "credited"):
        raise NotFound(f"Statement line {args.line_id} applied nothing that could be undone.")
    credits = list(ctx.session.scalars(select(CustomerCredit).where(CustomerCredit.statement_line_id == line.id)
                                       .with_for_update(of=CustomerCredit)))
    if used := [c for c in credits if c.remaining != c.amount]:
        raise Conflict(f"CR-{used[0].id} from this line was applied since.", hint="Undo that application first.")
    payments = list(ctx.session.scalars(select(Payment).where(Payment.source_line_id == line.id,
                                                              Payment.source == "bank")))
    undone = []
    for payment in payments:
        lock_customer(ctx, payment.customer_id)
        invoice = ctx.session.scalars(select(Invoice).where(Invoice.id == payment.invoice_id)
                                      .with_for_update(of=Invoice).execution_options(populate_existing=True)).one()
        invoice.paid_amount -= payment.amount
        invoice.status, invoice.paid_on = ("open" if invoice.paid_amount == ZERO else "partially_paid"), None
        undone.append(invoice.number)
        ctx.session.delete(payment)
    for credit in credits:
        ctx.session.delete(credit)
    before = {"status": line.status, "payments": [f"{p.amount} on {n}" for p, n in zip(payments, undone, strict=True)]}
    line.status, line.decided_by, line.decided_at = "review", ctx.requested_by, ctx.now
    ctx.audit("undo_statement_line", "bank_statement_line", line.id, before, {"status": "review"})
    ctx.session.flush()
    return UndoLineResult(line_id=line.id, amount=line.amount, invoices=undone,
                          credit_removed=sum((c.amount for c in credits), ZERO))
