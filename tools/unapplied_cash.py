"""Unapplied cash: what a customer paid beyond the invoices it went to, kept as their credit (CR-n) until
`apply CR-n INVOICE` puts it on one of their invoices."""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from core.money import ZERO, fmt
from core.roles import Role
from db.models import OPEN_STATUSES, Customer, CustomerCredit, Invoice
from tools.context import ToolContext
from tools.invoices import InvoiceDetail, invoice_detail
from tools.lookup import lock_customer, resolve_invoice
from tools.payments import PaymentMethod, RecordPaymentArgs, apply_payment
from tools.registry import resolves, tool
from tools.schemas import Args, CustomerRef, Money, PositiveMoney, Result

CREDIT_ID = re.compile(r"^(?:CR-?)?(\d{1,12})$", re.I)


def unapplied_cash(session: Session, customer_id: int) -> tuple[Decimal, list[str]]:
    """The customer's credit still to apply, and its credits as "CR-n amount", oldest first."""
    open_credits = session.execute(
        select(CustomerCredit.id, CustomerCredit.remaining)
        .where(CustomerCredit.customer_id == customer_id, CustomerCredit.remaining > 0)
        .order_by(CustomerCredit.id)).all()
    return sum((r for _, r in open_credits), ZERO), [f"CR-{i} {fmt(r)}" for i, r in open_credits]


class UnappliedCash(Result):
    """A customer's money waiting to be applied, as a collector's worklist shows it."""

    customer: CustomerRef
    amount: Money
    credits: list[str]  # "CR-n amount", oldest first
    oldest_invoice: str | None = None  # the open invoice due first: where the money most likely belongs

    @property
    def hint(self) -> str | None:
        return f"apply {self.credits[0].split()[0]} {self.oldest_invoice}" if self.oldest_invoice else None


WORKLIST_CREDITS = 10


def unapplied_for_worklist(ctx: ToolContext, collector: str | None) -> list[UnappliedCash]:
    """The customers of `collector` (everyone's: None) with unapplied cash, the most money first."""
    total = func.sum(CustomerCredit.remaining)
    query = (select(CustomerCredit.customer_id, total).where(CustomerCredit.remaining > 0)
             .group_by(CustomerCredit.customer_id).order_by(total.desc(), CustomerCredit.customer_id)
             .limit(WORKLIST_CREDITS))
    if collector:
        query = query.join(Customer, Customer.id == CustomerCredit.customer_id).where(Customer.collector == collector)
    rows = ctx.session.execute(query).tuples().all()
    found = []
    for customer_id, amount in rows:
        customer = ctx.session.get(Customer, customer_id)
        oldest = ctx.session.scalar(select(Invoice.number).where(
            Invoice.customer_id == customer_id, Invoice.status.in_(OPEN_STATUSES))
            .order_by(Invoice.due_date, Invoice.id).limit(1))
        found.append(UnappliedCash(customer=CustomerRef(code=customer.code, name=customer.name), amount=amount,
                                   credits=unapplied_cash(ctx.session, customer_id)[1], oldest_invoice=oldest))
    return found


def total_unapplied(session: Session) -> Decimal:
    return session.scalar(select(func.coalesce(func.sum(CustomerCredit.remaining), 0))) or ZERO


class ApplyCreditArgs(Args):
    credit_id: str = Field(description="the credit, e.g. CR-12")
    invoice_number: str
    amount: PositiveMoney | None = Field(None, description="default: as much as both allow")


class ApplyCreditResult(Result):
    credit: str
    amount: Money
    remaining: Money
    invoice: InvoiceDetail

    def describe(self, done: bool) -> str:
        inv, cur = self.invoice.invoice, self.invoice.currency
        if not done:
            return (f"Apply {fmt(self.amount, cur)} of credit {self.credit} to {inv.number} ({inv.customer.name}); "
                    f"balance after: {fmt(inv.balance, cur)}, credit left: {fmt(self.remaining, cur)}.")
        return (f"{fmt(self.amount, cur)} of {self.credit} applied to {inv.number}; balance "
                f"{fmt(inv.balance, cur)} ({inv.status}); credit left: {fmt(self.remaining, cur)}.")


def _credit(ctx: ToolContext, credit_id: str, *, lock: bool = False) -> CustomerCredit:
    found = CREDIT_ID.match(credit_id.strip())
    credit = None
    if found:
        query = select(CustomerCredit).where(CustomerCredit.id == int(found[1]))
        credit = ctx.session.scalars(query.with_for_update(of=CustomerCredit) if lock else query).one_or_none()
    if credit is None or not ctx.can_see(credit.customer):
        raise NotFound(f"No credit {credit_id!r}.", hint="`credit CUSTOMER` lists a customer's credits (CR-n).")
    return credit


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def apply_credit(ctx: ToolContext, args: ApplyCreditArgs) -> ApplyCreditResult:
    """Apply a customer's unapplied cash (credit CR-n) to one of their open invoices."""
    invoice = resolve_invoice(ctx, args.invoice_number)
    lock_customer(ctx, invoice.customer_id)
    invoice = resolve_invoice(ctx, invoice.number, lock=True)
    credit = _credit(ctx, args.credit_id, lock=True)
    if credit.customer_id != invoice.customer_id:
        raise Conflict(f"CR-{credit.id} is {credit.customer.name}'s money and {invoice.number} is "
                       f"{invoice.customer.name}'s invoice.", hint="Apply a credit to its own customer's invoices.")
    if credit.remaining <= ZERO:
        raise Conflict(f"CR-{credit.id} is used up.")
    amount = args.amount or min(credit.remaining, invoice.balance)
    if amount > credit.remaining:
        raise InvalidInput(f"CR-{credit.id} has {fmt(credit.remaining)} left, less than {fmt(amount)}.")
    payment = apply_payment(ctx, invoice, RecordPaymentArgs(
        invoice_number=invoice.number, amount=amount, received_on=credit.received_on,
        method=PaymentMethod.BANK_TRANSFER, reference=f"CR-{credit.id} {invoice.number}"), source="credit")
    payment.source_line_id = credit.statement_line_id
    before = str(credit.remaining)
    credit.remaining -= amount
    ctx.audit("apply_credit", "customer_credit", credit.id, {"remaining": before},
              {"remaining": str(credit.remaining), "invoice": invoice.number, "amount": str(amount)})
    ctx.session.flush()
    return ApplyCreditResult(credit=f"CR-{credit.id}", amount=amount, remaining=credit.remaining,
                             invoice=invoice_detail(ctx, invoice))


@resolves(apply_credit)
def _resolve_apply(ctx: ToolContext, args: ApplyCreditArgs) -> ApplyCreditArgs:
    return args.model_copy(update={"invoice_number": resolve_invoice(ctx, args.invoice_number).number,
                                   "credit_id": f"CR-{_credit(ctx, args.credit_id).id}"})
