"""Customer records from Slack, the console and the agent: create a customer, or change its limit, terms,
owner, collector, hold, email, tax id or billing address. A confirmed write like any other, audited with
the fields before and after. Who may change what is decided here, from the role, never by the model."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy import func, select

from core.errors import Conflict, InvalidInput, NotAllowed
from core.money import fmt
from core.roles import Role
from db.models import Customer
from tools.context import ToolContext
from tools.lookup import member_named, resolve_customer
from tools.registry import resolves, tool
from tools.schemas import Args, Money, Result

EDITORS = {Role.SALES, Role.COLLECTOR, Role.MANAGER}
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,39}")
FIELDS = ("name", "credit_limit", "payment_terms_days", "owner_rep", "collector", "on_hold", "email", "tax_id",
          "billing_address")
LABELS = {"name": "name", "credit_limit": "limit", "payment_terms_days": "terms", "owner_rep": "owner",
          "collector": "collector", "on_hold": "hold", "email": "email", "tax_id": "tax id",
          "billing_address": "billing address"}
MANAGERS_ONLY = {"owner_rep", "collector"}  # who looks after a customer is a manager's call
CREDIT_DESK = {"payment_terms_days", "on_hold"}  # credit terms and holds: collectors and managers


def on_credit_desk(role: Role) -> bool:
    """Whether `role` may change a customer's credit terms and hold (the rule the update below applies),
    for front ends that offer such a button only to those who can use it."""
    return role != Role.SALES


class CustomerFields(Args):
    name: str | None = Field(None, min_length=2, max_length=200)
    credit_limit: Money | None = Field(None, ge=0)
    payment_terms_days: int | None = Field(None, ge=0, le=365, description="days")
    owner_rep: str | None = Field(None, description="the rep's Slack id or mention")
    collector: str | None = Field(None, description="the collector's Slack id or mention")
    on_hold: bool | None = None
    email: str | None = Field(None, max_length=200)
    tax_id: str | None = Field(None, max_length=40)
    billing_address: str | None = Field(None, max_length=500)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"{value!r} is not an email address, e.g. ap@acme.com")
        return value


class CreateCustomerArgs(CustomerFields):
    code: str = Field(min_length=2, max_length=40, description="short unique code, e.g. ACME")
    name: str = Field(min_length=2, max_length=200)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        code = value.strip().upper()
        if not CODE.fullmatch(code):
            raise ValueError(f"{value!r} is not a customer code: letters, digits, - or _, e.g. ACME2")
        return code


class UpdateCustomerArgs(CustomerFields):
    customer: str = Field(description="customer name or code")


class FieldChange(Result):
    field: str
    before: str | None
    after: str | None


class CustomerRecord(Result):
    action: Literal["create", "update"]
    code: str
    name: str
    currency: str
    changes: list[FieldChange]

    def describe(self, done: bool) -> str:
        shown = "; ".join(f"{c.field} {c.after or '—'}" if self.action == "create" else
                          f"{c.field} {c.before or '—'} → {c.after or '—'}" for c in self.changes)
        if self.action == "create":
            return (f"Customer {self.code} {self.name} created: {shown}." if done else
                    f"Create customer {self.code} {self.name}: {shown}.")
        return (f"{self.code} {self.name} changed: {shown}." if done else f"Change {self.code} {self.name}: {shown}.")


def _shown(field: str, value: object, currency: str) -> str | None:
    if value is None:
        return None
    if field == "credit_limit":
        return fmt(Decimal(value), currency)
    if field == "payment_terms_days":
        return f"{value} days"
    if field == "on_hold":
        return "on" if value else "off"
    return str(value)  # members by their Slack id: a mention would be escaped as the text it is


def _record(customer: Customer) -> dict:
    return {f: (str(v) if isinstance(v := getattr(customer, f), Decimal) else v) for f in FIELDS}


def _check_may(ctx: ToolContext, wanted: dict, before: dict | None) -> None:
    role = ctx.actor.role
    if role in (Role.MANAGER, Role.ADMIN):
        return
    for field in wanted:
        if field in MANAGERS_ONLY and not (role == Role.SALES and before is None and wanted[field] == ctx.requested_by):
            raise NotAllowed(f"Only a manager assigns a customer's {LABELS[field]}.",
                             hint="Ask a manager to make the change.")
        if field in CREDIT_DESK and not on_credit_desk(role):
            raise NotAllowed(f"A customer's {LABELS[field]} is set by collections.",
                             hint="Ask the customer's collector or a manager.")
    limit = wanted.get("credit_limit")
    if limit is not None:
        above = ctx.rules.limit_manager_above
        raised = before is None or Decimal(limit) > Decimal(before["credit_limit"] or 0)
        if raised and Decimal(limit) > above:
            raise NotAllowed(f"A credit limit above {fmt(above, ctx.rules.currency)} needs a manager.",
                             hint="Ask a manager to set it; you may set a limit up to that amount.")


def _apply(ctx: ToolContext, customer: Customer, wanted: dict) -> list[FieldChange]:
    before = _record(customer)
    for field, value in wanted.items():
        setattr(customer, field, value)
    after = _record(customer)
    cur = ctx.rules.currency
    return [FieldChange(field=LABELS[f], before=_shown(f, before[f], cur), after=_shown(f, after[f], cur))
            for f in FIELDS if before[f] != after[f]]


def _wanted(ctx: ToolContext, args: CustomerFields) -> dict:
    wanted = {f: getattr(args, f) for f in FIELDS if getattr(args, f) is not None}
    for field in ("owner_rep", "collector"):
        if field in wanted:
            wanted[field] = member_named(ctx, wanted[field], "as the customer's " + LABELS[field])
    return wanted


@tool("write", EDITORS)
def create_customer(ctx: ToolContext, args: CreateCustomerArgs) -> CustomerRecord:
    """Create a customer (code, name; optional limit, terms, owner, collector, email, tax id, address)."""
    wanted = _wanted(ctx, args)
    if ctx.actor.role == Role.SALES:
        wanted.setdefault("owner_rep", ctx.requested_by)  # a rep's new customer is theirs
    _check_may(ctx, wanted, None)
    if ctx.session.scalar(select(func.count()).select_from(Customer).where(Customer.code == args.code)):
        raise Conflict(f"A customer with the code {args.code} exists already.",
                       hint=f"Change it with `customer {args.code} ...`, or choose another code.")
    customer = Customer(code=args.code, name=args.name, credit_limit=Decimal(0), payment_terms_days=30,
                        on_hold=False, created_at=ctx.now)
    ctx.session.add(customer)
    changes = _apply(ctx, customer, wanted | {"name": args.name})
    ctx.session.flush()
    ctx.audit("customer_create", "customer", args.code, None, _record(customer))
    return CustomerRecord(action="create", code=customer.code, name=customer.name, currency=ctx.rules.currency,
                          changes=changes)


@tool("write", EDITORS)
def update_customer(ctx: ToolContext, args: UpdateCustomerArgs) -> CustomerRecord:
    """Change a customer's limit, terms, owner, collector, hold, email, tax id, billing address or name."""
    customer = resolve_customer(ctx, args.customer, lock=True)
    wanted = _wanted(ctx, args)
    if not wanted:
        raise InvalidInput(f"Nothing to change on {customer.code}.",
                           hint=f"e.g. `customer {customer.code} limit 80000 terms 45`")
    before = _record(customer)
    _check_may(ctx, wanted, before)
    changes = _apply(ctx, customer, wanted)
    if not changes:
        raise Conflict(f"{customer.code} already has exactly that.", hint="Nothing was changed.")
    ctx.audit("customer_update", "customer", customer.code, before, _record(customer))
    return CustomerRecord(action="update", code=customer.code, name=customer.name, currency=ctx.rules.currency,
                          changes=changes)


@resolves(update_customer)
def _resolve_update(ctx: ToolContext, args: UpdateCustomerArgs) -> UpdateCustomerArgs:
    resolved = {"customer": resolve_customer(ctx, args.customer).code}
    for field in ("owner_rep", "collector"):
        if getattr(args, field) is not None:
            resolved[field] = member_named(ctx, getattr(args, field), "as the customer's " + LABELS[field])
    return args.model_copy(update=resolved)


@resolves(create_customer)
def _resolve_create(ctx: ToolContext, args: CreateCustomerArgs) -> CreateCustomerArgs:
    """Members by their Slack id, and a rep's new customer owned by the rep who asked, whoever confirms."""
    resolved = {field: member_named(ctx, getattr(args, field), "as the customer's " + LABELS[field])
                for field in ("owner_rep", "collector") if getattr(args, field) is not None}
    if ctx.actor.role == Role.SALES and args.owner_rep is None:
        resolved["owner_rep"] = ctx.requested_by
    return args.model_copy(update=resolved)
