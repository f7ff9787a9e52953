"""CSV import for customers, products, invoices and payments. Each row stands alone: bad rows are
reported by line number and the good ones are kept; payments already recorded are skipped."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from core.errors import InvalidInput, TallyError
from core.money import money, parse_amount
from core.roles import Role
from db.models import Customer, Invoice, Member, Payment, Product
from db.numbering import bump_to
from tools.context import Actor, ToolContext
from tools.lookup import resolve_customer, resolve_invoice
from tools.payments import PaymentMethod, RecordPaymentArgs, apply_payment
from tools.service import Tally

IMPORT_ACTOR = Actor("cli", Role.ADMIN, "import")
TRUE = {"1", "true", "yes", "y"}


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class Duplicate(Exception):
    """The row is already in the database: not an error, not imported again."""


def _required(row: dict[str, str], name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise InvalidInput(f"{name} is missing.")
    return value


def _amount(row: dict[str, str], name: str, default: str | None = None) -> Decimal:
    text = (row.get(name) or "").strip() or default
    if text is None:
        raise InvalidInput(f"{name} is missing.")
    try:
        return parse_amount(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not an amount.") from None


def _date(row: dict[str, str], name: str) -> date:
    text = _required(row, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a date (use YYYY-MM-DD).") from None


def _member(ctx: ToolContext, row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip().upper()
    if value and ctx.session.get(Member, value) is None:
        raise InvalidInput(f"{name} {value} is not a member; add it with `members add` first.")
    return value or None


def _customer(ctx: ToolContext, row: dict[str, str]) -> None:
    code = _required(row, "code").upper()
    values = dict(
        name=_required(row, "name"), owner_rep=_member(ctx, row, "owner_rep"), collector=_member(ctx, row, "collector"),
        credit_limit=_amount(row, "credit_limit", "0"),
        payment_terms_days=int((row.get("payment_terms_days") or "30").strip()),
        on_hold=(row.get("on_hold") or "").strip().lower() in TRUE, email=(row.get("email") or "").strip() or None,
    )
    if values["credit_limit"] < 0 or not 0 <= values["payment_terms_days"] <= 365:
        raise InvalidInput("credit_limit must be ≥ 0 and payment_terms_days between 0 and 365.")
    existing = ctx.session.scalar(select(Customer).where(Customer.code == code))
    if existing is None:
        ctx.session.add(Customer(code=code, created_at=ctx.now, **values))
    else:
        for key, value in values.items():
            setattr(existing, key, value)


def _product(ctx: ToolContext, row: dict[str, str]) -> None:
    sku = _required(row, "sku").upper()
    stock = int((row.get("stock_on_hand") or "0").strip())
    price, cost = _amount(row, "price"), _amount(row, "cost", "0")
    if stock < 0 or price <= 0 or cost < 0:
        raise InvalidInput("price must be > 0, cost and stock_on_hand ≥ 0.")
    existing = ctx.session.scalar(select(Product).where(Product.sku == sku))
    if existing is None:
        ctx.session.add(Product(sku=sku, name=_required(row, "name"), price=price, cost=cost, stock_on_hand=stock))
    else:
        existing.name, existing.price, existing.cost, existing.stock_on_hand = (
            row.get("name") or existing.name, price, cost, stock)


INVOICE_NUMBER = re.compile(r"^INV-(\d{4})-(\d{5})$")


def _invoice(ctx: ToolContext, row: dict[str, str]) -> None:
    number = _required(row, "number").upper()
    if ctx.session.scalar(select(Invoice.id).where(Invoice.number == number)):
        raise Duplicate
    customer = resolve_customer(ctx, _required(row, "customer"))
    issue = _date(row, "issue_date")
    due = _date(row, "due_date") if row.get("due_date") else issue + timedelta(days=customer.payment_terms_days)
    amount, tax = _amount(row, "amount"), _amount(row, "tax", "0")
    if amount <= 0 or due < issue:
        raise InvalidInput("amount must be > 0 and due_date on or after issue_date.")
    ctx.session.add(Invoice(number=number, customer_id=customer.id, rep=customer.owner_rep, issue_date=issue,
                            due_date=due, amount=amount, tax=tax, total=money(amount + tax), cost=Decimal(0),
                            paid_amount=Decimal(0), status="open", created_at=ctx.now))
    match = INVOICE_NUMBER.match(number)
    if match:  # keep our own numbering gapless after imported numbers in the same series
        bump_to(ctx.session, "INV", int(match[1]), int(match[2]))


def _payment(ctx: ToolContext, row: dict[str, str]) -> None:
    reference = (row.get("reference") or "").strip() or None
    if reference and ctx.session.scalar(
            select(Payment.id).where(Payment.source == "import", Payment.reference == reference)):
        raise Duplicate
    invoice = resolve_invoice(ctx, _required(row, "invoice_number"), lock=True)
    try:
        args = RecordPaymentArgs(invoice_number=invoice.number, amount=_amount(row, "amount"),
                                 received_on=_date(row, "received_on"),
                                 method=(row.get("method") or PaymentMethod.BANK_TRANSFER).strip(), reference=reference)
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    apply_payment(ctx, invoice, args, source="import")


IMPORTERS: dict[str, Callable[[ToolContext, dict[str, str]], None]] = {
    "customers": _customer, "products": _product, "invoices": _invoice, "payments": _payment,
}


def import_csv(tally: Tally, kind: str, file: Path) -> ImportReport:
    report = ImportReport()
    handler = IMPORTERS[kind]
    with tally.db.session(write=True) as session, file.open(newline="", encoding="utf-8-sig") as fh:
        ctx = ToolContext(actor=IMPORT_ACTOR, session=session, clock=tally.clock, rules=tally.rules)
        reader = csv.DictReader(fh)
        for row in reader:
            line = reader.line_num
            savepoint = session.begin_nested()
            try:
                handler(ctx, {(k or "").strip().lower(): v for k, v in row.items()})
                session.flush()
                savepoint.commit()
                report.imported += 1
            except Duplicate:
                savepoint.rollback()
                report.skipped += 1
            except (TallyError, ValueError) as exc:
                savepoint.rollback()
                report.errors.append((line, str(exc)))
        session.commit()
    return report


__all__ = ["IMPORTERS", "ImportReport", "import_csv"]
