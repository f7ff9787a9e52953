"""Find the records a request names: loose customer names, SKUs, document numbers."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import func, or_, select

from core.errors import Ambiguous, InvalidInput, NotFound
from core.mentions import user_id as mentioned_user
from db.models import CreditNote, Customer, Invoice, Member, Product, SalesOrder, Shipment
from tools.context import ToolContext


def _label(customer: Customer) -> str:
    return f"{customer.code} {customer.name}"


def _visible(ctx: ToolContext, column: Any) -> list:
    """The filter that keeps to the customers the actor may see: sales their own, everyone else all."""
    if ctx.sees_all:
        return []
    return [column.in_(select(Customer.id).where(Customer.owner_rep == ctx.actor.user_id))]


def _unseen_hint(ctx: ToolContext, what: str | None = None) -> str:
    """Said the same whether the record does not exist or belongs to someone else's customer."""
    if ctx.sees_all:
        return ""
    return f" You see only the {what} of customers you own." if what else " You see only the customers you own."


def resolve_customer(ctx: ToolContext, query: str, *, lock: bool = False) -> Customer:
    """Code or name, exact first, then a unique partial match; otherwise an error naming candidates.
    Only customers the actor may see are matched or offered, so a customer they may not see reads
    exactly like one that does not exist."""
    text = query.strip()
    lowered = text.lower()
    session = ctx.session
    visible = _visible(ctx, Customer.id)
    exact = session.scalars(
        select(Customer).where(or_(func.lower(Customer.code) == lowered, func.lower(Customer.name) == lowered),
                               *visible)
    ).all()
    matches = exact or session.scalars(
        select(Customer)
        .where(or_(func.lower(Customer.code).contains(lowered), func.lower(Customer.name).contains(lowered)),
               *visible)
        .order_by(Customer.code)
        .limit(20)
    ).all()
    if not matches:
        seen = session.execute(select(Customer.code, Customer.name).where(*visible)).all()
        names = {name.lower(): f"{code} {name}" for code, name in seen}
        names.update({code.lower(): f"{code} {name}" for code, name in seen})
        close = difflib.get_close_matches(lowered, list(names), n=3, cutoff=0.5)
        candidates = list(dict.fromkeys(names[c] for c in close))
        ctx.missed("customer", text)
        hint = (f"Did you mean {' or '.join(candidates)}?" if candidates else
                "Try the customer code, e.g. ACME." + _unseen_hint(ctx))
        raise NotFound(f"No customer matches {text!r}.", hint=hint, candidates=candidates)
    if len(matches) > 1:
        candidates = [_label(c) for c in matches[:5]]
        raise Ambiguous(
            f"{text!r} matches {len(matches)} customers.",
            hint=f"Which one: {', '.join(candidates)}?", candidates=candidates,
        )
    customer = matches[0]
    ctx.require_access(customer)
    if lock:
        lock_customer(ctx, customer.id)
    return customer


def lock_customer(ctx: ToolContext, customer_id: int) -> Customer:
    """Row lock for the credit check: parallel orders for one customer queue here."""
    return ctx.session.scalars(
        select(Customer).where(Customer.id == customer_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def resolve_products(ctx: ToolContext, skus: list[str], *, lock: bool = False) -> dict[str, Product]:
    wanted = {s.strip().upper() for s in skus}
    query = select(Product).where(func.upper(Product.sku).in_(wanted)).order_by(Product.id)
    if lock:  # always in id order, so two orders never wait on each other crosswise
        query = query.with_for_update().execution_options(populate_existing=True)
    found = {p.sku.upper(): p for p in ctx.session.scalars(query)}
    missing = sorted(wanted - set(found))
    if missing:
        all_skus = ctx.session.scalars(select(Product.sku)).all()
        close = [c for m in missing for c in difflib.get_close_matches(m, all_skus, n=2, cutoff=0.5)]
        hint = f"Did you mean {', '.join(close)}?" if close else "Check the SKU (e.g. WIDGET-1)."
        raise NotFound(f"Unknown SKU: {', '.join(missing)}.", hint=hint, candidates=close)
    return found


def _document(ctx: ToolContext, model: type, number: str, what: str, example: str, *, lock: bool = False):
    """A document by number, among those of customers the actor may see: another rep's invoice is
    answered exactly like a number that does not exist."""
    text = number.strip().upper()
    visible = _visible(ctx, model.customer_id)
    query = select(model).where(model.number == text, *visible)
    if lock:  # lock the document's row only, not the customer joined in for display
        query = query.with_for_update(of=model).execution_options(populate_existing=True)
    doc = ctx.session.scalars(query).first()
    if doc is None:
        # People type "42" or "00042": try the suffix within this and last year.
        if text.isdigit():
            suffix = f"-{int(text):05d}"
            doc = ctx.session.scalars(
                select(model).where(model.number.endswith(suffix), *visible).order_by(model.number.desc())
            ).first()
        if doc is None:
            ctx.missed(what, number)
            raise NotFound(f"No {what} {number!r}.", hint=f"{what.capitalize()} numbers look like {example}."
                           + _unseen_hint(ctx, what + "s"))
        if lock:
            doc = ctx.session.scalars(
                select(model).where(model.id == doc.id).with_for_update(of=model)
                .execution_options(populate_existing=True)
            ).one()
    ctx.require_access(doc.customer)
    return doc


def resolve_invoice(ctx: ToolContext, number: str, *, lock: bool = False) -> Invoice:
    return _document(ctx, Invoice, number, "invoice", "INV-2026-00042", lock=lock)


def resolve_order(ctx: ToolContext, number: str, *, lock: bool = False) -> SalesOrder:
    return _document(ctx, SalesOrder, number, "order", "SO-2026-00042", lock=lock)




def resolve_shipment(ctx: ToolContext, number: str, *, lock: bool = False) -> Shipment:
    return _document(ctx, Shipment, number, "delivery note", "DN-2026-00042", lock=lock)


def resolve_credit_note(ctx: ToolContext, number: str) -> CreditNote:
    return _document(ctx, CreditNote, number, "credit note", "CN-2026-00001")


def member_named(ctx: ToolContext, text: str, otherwise: str) -> str:
    """The active member a mention or id names (<@U0COLL1|colin>, @U0COLL1, U0COLL1); anyone else is an error."""
    hint = f"Mention the person (type @ and pick them) or give their Slack id like U0COLL1, {otherwise}."
    user_id = mentioned_user(text)
    if user_id is None:
        raise InvalidInput(f"{text.strip()[:60]!r} does not name a Slack user.", hint=hint)
    member = ctx.session.get(Member, user_id)
    if member is None or not member.active:
        raise NotFound(f"<@{user_id}> is not a Tally member.", hint=hint, people=[user_id])
    return member.slack_user_id
