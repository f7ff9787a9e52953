"""Split a bank statement line over several invoices of its customer: a reviewer enters an amount per
invoice (the form behind Split… on the statement card, or `line N split INV AMOUNT ...`); what the amounts
leave of the line is kept as the customer's unapplied cash. Audited with the line; `line N undo` undoes it
like any other application."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select

from core.errors import Conflict, InvalidInput, NotFound
from core.money import ZERO, fmt
from core.roles import Role
from db.models import OPEN_STATUSES, Customer, Invoice
from db.models.banking import StatementLine
from tools.cash_application import keep_credit, learn_iban, pay_from_line
from tools.context import ToolContext
from tools.lookup import lock_customer, resolve_invoice
from tools.registry import resolves, tool
from tools.schemas import Args, Money, PositiveMoney, Result
from tools.statement_review import OPEN_LINE, lock_open_line

SPLIT_LIMIT = 10  # invoices offered in the form; the others can be named with `line N split`
MAX_PARTS = 20


class SplitOptionsArgs(Args):
    line_id: int = Field(description="the statement line to split")


class SplitInvoice(Result):
    number: str
    due_date: date
    balance: Money
    suggested: Money = ZERO


class SplitOptions(Result):
    line_id: int
    amount: Money
    said: str
    customer_code: str
    customer_name: str
    invoices: list[SplitInvoice]
    more: int = 0  # open invoices of the customer not offered

    def describe(self, done: bool) -> str:
        offered = "; ".join(f"{i.number} due {i.due_date} balance {fmt(i.balance)}"
                            + (f" (suggested {fmt(i.suggested)})" if i.suggested else "") for i in self.invoices)
        more = f"; and {self.more} more" if self.more else ""
        return (f"Statement line {self.line_id} ({fmt(self.amount)}, {self.said}) can be split over "
                f"{self.customer_name}'s open invoices: {offered or 'none'}{more}. "
                f"`line {self.line_id} split INVOICE AMOUNT [INVOICE AMOUNT ...]` does it.")


def _open_line(ctx: ToolContext, line_id: int) -> StatementLine:
    line = ctx.session.get(StatementLine, line_id)
    if line is None or not line.credit:
        raise NotFound(f"No statement line {line_id} to review.")
    if line.status not in OPEN_LINE:
        raise Conflict(f"Statement line {line_id} was already decided ({line.status.replace('_', ' ')}).")
    return line


def suggest(amount: Decimal, invoices: list[Invoice], named: list[str]) -> dict[str, Decimal]:
    """The line's money over the invoices the import suggested first, then the oldest: what the form offers."""
    order = sorted(invoices, key=lambda i: (i.number not in named, named.index(i.number) if i.number in named
                                            else 0, i.issue_date, i.number))
    left, parts = amount, {}
    for invoice in order:
        if left <= ZERO:
            break
        parts[invoice.number] = min(left, invoice.balance)
        left -= parts[invoice.number]
    return parts


@tool("read", {Role.COLLECTOR, Role.MANAGER})
def statement_line_split(ctx: ToolContext, args: SplitOptionsArgs) -> SplitOptions:
    """A bank statement line waiting for review and its customer's open invoices, with amounts suggested,
    to split it over several of them."""
    line = _open_line(ctx, args.line_id)
    if line.customer_id is None:
        raise InvalidInput(f"The payer of statement line {line.id} is not a known customer, so there is nothing "
                           "to split it over.", hint=f"`line {line.id} apply INVOICE` applies it to one invoice.")
    customer = ctx.session.get(Customer, line.customer_id)
    invoices = list(ctx.session.scalars(select(Invoice).where(
        Invoice.customer_id == customer.id, Invoice.status.in_(OPEN_STATUSES))
        .order_by(Invoice.issue_date, Invoice.number)))
    named = [n for n in line.suggestions or [] if isinstance(n, str)]
    parts = suggest(line.amount, invoices, named)
    shown = sorted(invoices, key=lambda i: (i.number not in parts, i.issue_date, i.number))[:SPLIT_LIMIT]
    said = f"from {line.payer_name or 'unknown'}: {line.remittance or 'no text'}"
    ctx.viewed("invoice", [i.number for i in shown])
    return SplitOptions(line_id=line.id, amount=line.amount, said=said, customer_code=customer.code,
                        customer_name=customer.name, more=len(invoices) - len(shown),
                        invoices=[SplitInvoice(number=i.number, due_date=i.due_date, balance=i.balance,
                                               suggested=parts.get(i.number, ZERO)) for i in shown])


class SplitPart(Args):
    invoice_number: str
    amount: PositiveMoney


class SplitLineArgs(Args):
    line_id: int = Field(description="the statement line")
    parts: list[SplitPart] = Field(min_length=1, max_length=MAX_PARTS, description="amount per invoice")


class SplitApplied(Result):
    invoice_number: str
    amount: Money
    balance: Money  # left on the invoice after this


class SplitLineResult(Result):
    line_id: int
    amount: Money
    customer_name: str
    parts: list[SplitApplied]
    credited: Money = ZERO

    def describe(self, done: bool) -> str:
        parts = ", ".join(f"{fmt(p.amount)} to {p.invoice_number} (balance {fmt(p.balance)})" for p in self.parts)
        rest = f"; {fmt(self.credited)} kept as {self.customer_name}'s unapplied credit" if self.credited else ""
        return f"Split statement line {self.line_id} ({fmt(self.amount)}): {parts}{rest}."


def _check_total(line: StatementLine, args: SplitLineArgs) -> Decimal:
    total = sum((p.amount for p in args.parts), ZERO)
    if total > line.amount:
        message = f"The amounts add up to {fmt(total)}, more than the line's {fmt(line.amount)}."
        raise InvalidInput(message, fields={"total": message},
                           hint="Lower an amount; what the amounts leave is kept as the customer's credit.")
    return total


def _invoices(ctx: ToolContext, line: StatementLine, args: SplitLineArgs) -> tuple[int, list[Invoice]]:
    """The invoices named, each once, all of the line's customer (or of one customer, for a line whose payer
    was not recognised): the customer's id and the invoices, in the order named."""
    invoices = [resolve_invoice(ctx, p.invoice_number) for p in args.parts]
    numbers = [i.number for i in invoices]
    if twice := next((n for n in numbers if numbers.count(n) > 1), None):
        raise InvalidInput(f"{twice} is named twice.", fields={twice: f"{twice} is named twice."})
    customer_id = line.customer_id if line.customer_id is not None else invoices[0].customer_id
    if other := next((i for i in invoices if i.customer_id != customer_id), None):
        raise Conflict(f"{other.number} is {other.customer.name}'s invoice, not the payer's.",
                       hint="Split a line only over its own customer's invoices.")
    return customer_id, invoices


@tool("write", {Role.COLLECTOR, Role.MANAGER})
def split_statement_line(ctx: ToolContext, args: SplitLineArgs) -> SplitLineResult:
    """Split a bank statement line waiting for review over several invoices of one customer, an amount
    each; what is left of the line is kept as the customer's unapplied cash."""
    line = lock_open_line(ctx, args.line_id)
    total = _check_total(line, args)
    customer_id, invoices = _invoices(ctx, line, args)
    customer = lock_customer(ctx, customer_id)
    applied: dict[str, SplitApplied] = {}
    for invoice, part in sorted(zip(invoices, args.parts, strict=True), key=lambda pair: pair[0].id):  # lock order
        invoice = resolve_invoice(ctx, invoice.number, lock=True)
        if part.amount > invoice.balance:
            message = f"{fmt(part.amount)} is more than the balance of {invoice.number} ({fmt(invoice.balance)})."
            raise InvalidInput(message, fields={invoice.number: message})
        pay_from_line(ctx, line, invoice, part.amount)
        applied[invoice.number] = SplitApplied(invoice_number=invoice.number, amount=part.amount,
                                               balance=invoice.balance)
    rest = line.amount - total
    if rest > ZERO:
        keep_credit(ctx, line, customer_id, rest)
    learn_iban(ctx, line, customer_id)
    before = {"status": line.status}
    line.status, line.customer_id, line.decided_by, line.decided_at = "applied", customer_id, ctx.requested_by, ctx.now
    ctx.audit("split_statement_line", "bank_statement_line", line.id, before,
              {"status": "applied", "parts": {n: str(p.amount) for n, p in applied.items()}, "credited": str(rest)})
    ctx.session.flush()
    return SplitLineResult(line_id=line.id, amount=line.amount, customer_name=customer.name,
                           parts=[applied[i.number] for i in invoices], credited=rest)


@resolves(split_statement_line)
def _resolve_split(ctx: ToolContext, args: SplitLineArgs) -> SplitLineArgs:
    parts = [p.model_copy(update={"invoice_number": resolve_invoice(ctx, p.invoice_number).number})
             for p in args.parts]
    return args.model_copy(update={"parts": parts})
