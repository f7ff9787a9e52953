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
from sqlalchemy.exc import DBAPIError

from core.errors import InvalidInput, TallyError
from core.money import fmt, money, parse_amount
from core.roles import Role
from db.models import Customer, Invoice, Member, Payment, Product
from db.numbering import bump_to
from tools.context import Actor, ToolContext
from tools.lookup import resolve_customer, resolve_invoice
from tools.payments import PaymentMethod, RecordPaymentArgs, apply_payment
from tools.service import Tally

IMPORT_ACTOR = Actor("cli", Role.ADMIN, "import")
TRUE = {"1", "true", "yes", "y"}
MAX_AMOUNT = Decimal(10) ** 12  # Numeric(14, 2)
# Column widths, checked here because SQLite does not enforce them and PostgreSQL would refuse the backup.
WIDTHS = {"code": 40, "sku": 40, "number": 40, "name": 200, "email": 200, "reference": 120}


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
        value = parse_amount(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not an amount.") from None
    if abs(value) >= MAX_AMOUNT:
        raise InvalidInput(f"{name} {text!r} is too large.")
    return value


def _int(row: dict[str, str], name: str, default: int) -> int:
    text = (row.get(name) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a whole number.") from None


def _date(row: dict[str, str], name: str) -> date:
    text = _required(row, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a date (use YYYY-MM-DD).") from None


def _member(ctx: ToolContext, row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip().upper()
    member = ctx.session.get(Member, value) if value else None
    if value and (member is None or not member.active):
        raise InvalidInput(f"{name} {value} is not an active member; add it with `members add` first.")
    return value or None


def _customer(ctx: ToolContext, row: dict[str, str]) -> None:
    code = _required(row, "code").upper()
    values = dict(
        name=_required(row, "name"), owner_rep=_member(ctx, row, "owner_rep"), collector=_member(ctx, row, "collector"),
        credit_limit=_amount(row, "credit_limit", "0"),
        payment_terms_days=_int(row, "payment_terms_days", 30),
        on_hold=(row.get("on_hold") or "").strip().lower() in TRUE, email=(row.get("email") or "").strip() or None,
    )
    if values["credit_limit"] < 0:
        raise InvalidInput(f"credit_limit {values['credit_limit']} is negative.")
    if not 0 <= values["payment_terms_days"] <= 365:
        raise InvalidInput(f"payment_terms_days {values['payment_terms_days']} is not between 0 and 365.")
    existing = ctx.session.scalar(select(Customer).where(Customer.code == code))
    before = None if existing is None else {k: str(getattr(existing, k)) for k in values}
    if existing is None:
        ctx.session.add(Customer(code=code, created_at=ctx.now, **values))
    else:
        for key, value in values.items():
            setattr(existing, key, value)
    ctx.audit("import_customer", "customer", code, before, {k: str(v) for k, v in values.items()})


def _product(ctx: ToolContext, row: dict[str, str]) -> None:
    sku = _required(row, "sku").upper()
    stock = _int(row, "stock_on_hand", 0)
    price, cost = _amount(row, "price"), _amount(row, "cost", "0")
    if price <= 0:
        raise InvalidInput(f"price {price} must be more than 0.")
    if cost < 0 or stock < 0:
        raise InvalidInput("cost and stock_on_hand must not be negative.")
    existing = ctx.session.scalar(select(Product).where(Product.sku == sku))
    before = None if existing is None else {"price": str(existing.price), "cost": str(existing.cost),
                                             "stock_on_hand": existing.stock_on_hand}
    if existing is None:
        ctx.session.add(Product(sku=sku, name=_required(row, "name"), price=price, cost=cost, stock_on_hand=stock))
    else:
        existing.name, existing.price, existing.cost, existing.stock_on_hand = (
            (row.get("name") or "").strip() or existing.name, price, cost, stock)
    ctx.audit("import_product", "product", sku, before, {"price": str(price), "cost": str(cost),
                                                          "stock_on_hand": stock})


INVOICE_NUMBER = re.compile(r"^INV-(\d{4})-(\d{5})$")


def _invoice(ctx: ToolContext, row: dict[str, str]) -> None:
    number = _required(row, "number").upper()
    if ctx.session.scalar(select(Invoice.id).where(Invoice.number == number)):
        raise Duplicate
    customer = resolve_customer(ctx, _required(row, "customer"))
    issue = _date(row, "issue_date")
    due = _date(row, "due_date") if row.get("due_date") else issue + timedelta(days=customer.payment_terms_days)
    amount, tax = _amount(row, "amount"), _amount(row, "tax", "0")
    if amount <= 0 or tax < 0:
        raise InvalidInput(f"amount must be > 0 and tax ≥ 0 (got amount {amount}, tax {tax}).")
    if due < issue:
        raise InvalidInput(f"due_date {due} is before issue_date {issue}.")
    ctx.session.add(Invoice(number=number, customer_id=customer.id, rep=customer.owner_rep, issue_date=issue,
                            due_date=due, amount=amount, tax=tax, total=money(amount + tax), cost=Decimal(0),
                            paid_amount=Decimal(0), status="open", created_at=ctx.now))
    ctx.audit("import_invoice", "invoice", number, None, {"customer": customer.code, "total": str(amount + tax)})
    match = INVOICE_NUMBER.match(number)
    if match:  # keep our own numbering gapless after imported numbers in the same series
        bump_to(ctx.session, "INV", int(match[1]), int(match[2]))


def _payment(ctx: ToolContext, row: dict[str, str]) -> None:
    reference = (row.get("reference") or "").strip() or None
    invoice = resolve_invoice(ctx, _required(row, "invoice_number"), lock=True)
    amount = _amount(row, "amount")
    if reference:
        existing = ctx.session.scalar(
            select(Payment).where(Payment.source == "import", Payment.reference == reference))
        if existing is not None:
            if existing.invoice_id == invoice.id and existing.amount == amount:
                raise Duplicate
            other = ctx.session.get(Invoice, existing.invoice_id)
            raise InvalidInput(f"reference {reference!r} is already used by a payment of {fmt(existing.amount)} "
                               f"on {other.number if other else '?'}.")
    try:
        args = RecordPaymentArgs(invoice_number=invoice.number, amount=amount, received_on=_date(row, "received_on"),
                                 method=(row.get("method") or PaymentMethod.BANK_TRANSFER).strip(), reference=reference)
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    apply_payment(ctx, invoice, args, source="import")


IMPORTERS: dict[str, Callable[[ToolContext, dict[str, str]], None]] = {
    "customers": _customer, "products": _product, "invoices": _invoice, "payments": _payment,
}


REQUIRED = {"customers": ("code", "name"), "products": ("sku", "price"),
            "invoices": ("number", "customer", "issue_date", "amount"),
            "payments": ("invoice_number", "amount", "received_on")}


def _checked(row: dict[str, str]) -> dict[str, str]:
    for name, width in WIDTHS.items():
        if len((row.get(name) or "").strip()) > width:
            raise InvalidInput(f"{name} is longer than {width} characters.")
    return row


def _db_reason(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip().splitlines()
    return f"the database refused the row: {text[0] if text else type(exc.orig).__name__}."


def import_csv(tally: Tally, kind: str, file: Path) -> ImportReport:
    """One transaction for the file, one savepoint per row. A file that cannot be read as CSV text, or
    that lacks a needed column, raises InvalidInput and imports nothing."""
    report = ImportReport()
    handler = IMPORTERS[kind]
    with tally.db.session(write=True) as session, file.open(newline="", encoding="utf-8-sig") as fh:
        ctx = ToolContext(actor=IMPORT_ACTOR, session=session, clock=tally.clock, rules=tally.rules)
        reader = csv.DictReader(fh)
        try:
            columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
            missing = [c for c in REQUIRED[kind] if c not in columns]
            if missing:
                raise InvalidInput(f"{file.name} has no column {', '.join(missing)}; the first line must name "
                                   f"the columns, and {kind} need at least: {', '.join(REQUIRED[kind])}.")
            for row in reader:
                line = reader.line_num
                savepoint = session.begin_nested()
                try:
                    handler(ctx, _checked({(k or "").strip().lower(): v for k, v in row.items() if isinstance(v, str)}))
                    session.flush()
                    savepoint.commit()
                    report.imported += 1
                except Duplicate:
                    savepoint.rollback()
                    report.skipped += 1
                except (TallyError, ValueError) as exc:
                    savepoint.rollback()
                    report.errors.append((line, str(exc)))
                except DBAPIError as exc:  # e.g. a value longer than its column on PostgreSQL
                    savepoint.rollback()
                    report.errors.append((line, _db_reason(exc)))
        except UnicodeDecodeError:
            raise InvalidInput(f"{file.name} is not UTF-8 text (near line {reader.line_num + 1}); "
                               "save it as CSV UTF-8. Nothing was imported.") from None
        except csv.Error as exc:
            raise InvalidInput(f"{file.name} line {reader.line_num} is not valid CSV ({exc}). "
                               "Nothing was imported.") from None
        session.commit()
    return report


__all__ = ["IMPORTERS", "REQUIRED", "ImportReport", "import_csv"]
