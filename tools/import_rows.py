"""What each import kind reads and how one row becomes a new record, a change, or nothing.

A column the file lacks never changes a field. On an existing record an empty cell clears the field only
where clearing is allowed (`clearable`), and is an error where the field has a value. A new record takes
the default of a column that is absent or empty; a column without a default must be given.
Invoices and payments are never changed once recorded: a row that matches one is left alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from core.errors import InvalidInput
from core.money import fmt, money
from db.models import Customer, Invoice, Member, Payment, Product
from db.numbering import bump_to
from tools.context import ToolContext
from tools.csv_cells import amount, code, day, flag, member_id, role, text, timezone, to_cell, whole
from tools.lookup import resolve_customer, resolve_invoice
from tools.payments import RecordPaymentArgs, apply_payment

REQUIRED = object()  # the default of a column that a new record must have


@dataclass
class Outcome:
    action: str  # created, updated, unchanged
    key: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field: (before, after)


def show(value: Any) -> str:
    return to_cell(value) or "(empty)"


def required(row: dict[str, str], name: str) -> str:
    if not row.get(name):
        raise InvalidInput(f"{name} is missing.")
    return row[name]


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[str, str], Any]
    default: Any = None
    clearable: bool = False


# --- kinds whose rows create or change a record ----------------------------------------------------------

def _active_members(ctx: ToolContext, record: Any, values: dict) -> None:
    for name in ("owner_rep", "collector"):
        member = ctx.session.get(Member, values[name]) if values.get(name) else None
        if values.get(name) and (member is None or not member.active):
            raise InvalidInput(f"{name} {values[name]} is not an active member; add it with `members add` first.")


def _stock_covers_reservations(ctx: ToolContext, record: Any, values: dict) -> None:
    if record is not None and values.get("stock_on_hand", record.stock_reserved) < record.stock_reserved:
        raise InvalidInput(f"stock_on_hand {values['stock_on_hand']} is less than the {record.stock_reserved} "
                           f"{record.sku} reserved for confirmed orders.")


@dataclass(frozen=True)
class Upsert:
    entity: str
    model: type
    key: Column
    columns: tuple[Column, ...]
    check: Callable[[ToolContext, Any, dict], None] = lambda ctx, record, values: None
    created: Callable[[ToolContext], dict] = lambda ctx: {}  # fields a new record gets besides its columns

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key.name, *(c.name for c in self.columns))

    def __call__(self, ctx: ToolContext, row: dict[str, str], memo: dict) -> Outcome:
        key = self.key.read(self.key.name, required(row, self.key.name))
        record = ctx.session.scalar(select(self.model).where(getattr(self.model, self.key.name) == key))
        values: dict[str, Any] = {}
        for column in self.columns:
            cell = row.get(column.name)
            if cell:
                values[column.name] = column.read(column.name, cell)
            elif cell is None or record is None:
                continue  # absent: untouched; empty on a new record: the default, below
            elif column.clearable or getattr(record, column.name) is None:
                values[column.name] = None
            else:
                raise InvalidInput(f"{column.name} is empty: import never clears it. Give a value, or leave "
                                   f"the column out to keep the current one.")
        if record is None:
            for column in self.columns:
                if column.name not in values:
                    if column.default is REQUIRED:
                        needed = [c.name for c in self.columns if c.default is REQUIRED]
                        raise InvalidInput(f"{column.name} is missing: a new {self.entity} needs "
                                           f"{', '.join([self.key.name, *needed])}.")
                    values[column.name] = column.default
            self.check(ctx, None, values)
            ctx.session.add(self.model(**{self.key.name: key}, **values, **self.created(ctx)))
            ctx.audit(f"import_{self.entity}", self.entity, key, None, {k: _plain(v) for k, v in values.items()})
            return Outcome("created", key)
        changes = {k: (getattr(record, k), v) for k, v in values.items() if getattr(record, k) != v}
        if not changes:
            return Outcome("unchanged", key)
        self.check(ctx, record, {k: new for k, (_, new) in changes.items()})
        for name, (_, new) in changes.items():
            setattr(record, name, new)
        ctx.audit(f"import_{self.entity}", self.entity, key, {k: _plain(old) for k, (old, _) in changes.items()},
                  {k: _plain(new) for k, (_, new) in changes.items()})
        return Outcome("updated", key, changes)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | date) else value


MEMBERS = Upsert("member", Member, Column("slack_user_id", member_id), (
    Column("name", text(120), REQUIRED), Column("role", role, REQUIRED),
    Column("timezone", timezone, clearable=True), Column("active", flag, True),
), created=lambda ctx: {"created_at": ctx.now})

CUSTOMERS = Upsert("customer", Customer, Column("code", code), (
    Column("name", text(200), REQUIRED), Column("owner_rep", code), Column("collector", code),
    Column("credit_limit", amount("zero"), Decimal(0)), Column("payment_terms_days", whole(0, 365), 30),
    Column("on_hold", flag, False), Column("email", text(200), clearable=True),
    Column("notes", text(2000), clearable=True),
), check=_active_members, created=lambda ctx: {"created_at": ctx.now})

PRODUCTS = Upsert("product", Product, Column("sku", code), (
    Column("name", text(200), REQUIRED), Column("price", amount("positive"), REQUIRED),
    Column("cost", amount("zero"), Decimal(0)), Column("stock_on_hand", whole(0, 10**9), 0),
    Column("active", flag, True),
), check=_stock_covers_reservations)


# --- kinds that only ever add a record --------------------------------------------------------------------

INVOICE_COLUMNS = (Column("issue_date", day), Column("due_date", day), Column("amount", amount("positive")),
                   Column("tax", amount("zero")), Column("cost", amount("zero")), Column("rep", code),
                   Column("disputed", flag), Column("dispute_reason", text(2000)), Column("promised_on", day),
                   Column("promised_amount", amount("positive")))
INVOICE_NUMBER = re.compile(r"^INV-(\d{4})-(\d{5})$")
INVOICE_IDENTITY = ("customer", "issue_date", "due_date", "amount", "tax")


def invoice(ctx: ToolContext, row: dict[str, str], memo: dict) -> Outcome:
    number = code("number", required(row, "number"))
    name = required(row, "customer")
    if ("customer", name) not in memo:  # a file names the same customers again and again
        memo["customer", name] = resolve_customer(ctx, name).id
    customer = ctx.session.get(Customer, memo["customer", name])
    given = {"customer": customer.code, **{c.name: c.read(c.name, row[c.name]) for c in INVOICE_COLUMNS
                                           if row.get(c.name)}}
    existing = ctx.session.scalar(select(Invoice).where(Invoice.number == number))
    if existing is not None:
        theirs = {"customer": existing.customer.code, **{k: getattr(existing, k) for k in INVOICE_IDENTITY[1:]}}
        differ = [f"{k} {show(theirs[k])}, not {show(given[k])}" for k in INVOICE_IDENTITY
                  if k in given and given[k] != theirs[k]]
        if differ:
            raise InvalidInput(f"{number} already exists with {'; '.join(differ)}. Import never changes an invoice.")
        return Outcome("unchanged", number)
    issue, total = day("issue_date", required(row, "issue_date")), amount("positive")("amount", required(row, "amount"))
    due = given.get("due_date", issue + timedelta(days=customer.payment_terms_days))
    if due < issue:
        raise InvalidInput(f"due_date {due} is before issue_date {issue}.")
    tax = given.get("tax", Decimal(0))
    ctx.session.add(Invoice(
        number=number, customer_id=customer.id, rep=given.get("rep", customer.owner_rep), issue_date=issue,
        due_date=due, amount=total, tax=tax, total=money(total + tax), cost=given.get("cost", Decimal(0)),
        paid_amount=Decimal(0), status="open", disputed=given.get("disputed", False),
        dispute_reason=given.get("dispute_reason"), promised_on=given.get("promised_on"),
        promised_amount=given.get("promised_amount"), created_at=ctx.now))
    ctx.audit("import_invoice", "invoice", number, None, {"customer": customer.code, "total": str(total + tax)})
    series = INVOICE_NUMBER.match(number)
    if series:  # our own numbering continues after imported numbers of its series
        bump_to(ctx.session, "INV", int(series[1]), int(series[2]))
    return Outcome("created", number)


def payment(ctx: ToolContext, row: dict[str, str], memo: dict) -> Outcome:
    """A payment with a reference is known by (source, reference). One without is known by its content
    (invoice, amount, date, method): the n-th such row of a file is new only when fewer than n such
    payments are recorded, so a file imported twice adds nothing and two equal payments in one file stay two."""
    invoice = resolve_invoice(ctx, required(row, "invoice_number"), lock=True)
    source = code("source", row["source"]).lower() if row.get("source") else "import"
    if not source.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput(f"source {row['source']!r} must be a word such as import, slack or bank.")
    try:
        args = RecordPaymentArgs(invoice_number=invoice.number,
                                 amount=amount("positive")("amount", required(row, "amount")),
                                 received_on=day("received_on", required(row, "received_on")),
                                 method=row.get("method") or "bank_transfer", reference=row.get("reference") or None)
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    key = f"{invoice.number} {args.amount} {args.received_on}"
    if args.reference:
        existing = ctx.session.scalar(select(Payment).where(Payment.source == source,
                                                            Payment.reference == args.reference))
        if existing is not None:
            if existing.invoice_id == invoice.id and existing.amount == args.amount:
                return Outcome("unchanged", key)
            other = ctx.session.get(Invoice, existing.invoice_id)
            raise InvalidInput(f"reference {args.reference!r} is already used by a payment of "
                               f"{fmt(existing.amount)} on {other.number if other else '?'}.")
    else:
        content = (invoice.id, args.amount, args.received_on, args.method.value)
        if content not in memo:
            memo[content] = ctx.session.scalar(select(func.count()).select_from(Payment).where(
                Payment.invoice_id == invoice.id, Payment.amount == args.amount,
                Payment.received_on == args.received_on, Payment.method == args.method.value,
                Payment.reference.is_(None)))
        if memo[content] > 0:  # one of the recorded ones: this row stands for it
            memo[content] -= 1
            return Outcome("unchanged", key)
    apply_payment(ctx, invoice, args, source=source)
    return Outcome("created", key)


KINDS: dict[str, Callable[[ToolContext, dict[str, str], dict], Outcome]] = {
    "members": MEMBERS, "customers": CUSTOMERS, "products": PRODUCTS, "invoices": invoice, "payments": payment}
COLUMNS = {
    "members": MEMBERS.names, "customers": CUSTOMERS.names, "products": PRODUCTS.names,
    "invoices": ("number", "customer", *(c.name for c in INVOICE_COLUMNS)),
    "payments": ("invoice_number", "amount", "received_on", "method", "reference", "source"),
}
KEYS = {"members": ("slack_user_id",), "customers": ("code",), "products": ("sku",),
        "invoices": ("number", "customer", "issue_date", "amount"),
        "payments": ("invoice_number", "amount", "received_on")}
CLEARABLE = {kind: tuple(c.name for c in k.columns if c.clearable)
             for kind, k in (("members", MEMBERS), ("customers", CUSTOMERS), ("products", PRODUCTS))}
