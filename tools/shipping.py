"""Shipping part or all of an order: what is left to ship, and booking one shipment (its delivery note,
its stock leaving the shelf, its own invoice, the order's status). The caller holds the order's row lock,
so parallel shipments of one order queue and each sees what the others shipped."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.errors import Conflict, InvalidInput
from core.money import money
from db.models import Customer, Invoice, OrderLine, SalesOrder, Shipment, ShipmentLine
from db.numbering import next_number
from tools.context import ToolContext
from tools.order_views import HOLDS, label_of
from tools.stock import ship

SHIPPABLE = ("confirmed", "partially_shipped")


def shipped_quantities(ctx: ToolContext, order_ids: list[int]) -> dict[int, int]:
    """Units shipped so far, by order line id, of the given orders."""
    rows = ctx.session.execute(
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
        .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
        .where(OrderLine.order_id.in_(order_ids)).group_by(ShipmentLine.order_line_id))
    return {line_id: int(quantity) for line_id, quantity in rows}


def left_to_ship(ctx: ToolContext, order: SalesOrder) -> dict[str, int]:
    """Units not yet shipped, by SKU, in the order's line order; empty once it is closed."""
    if order.status not in SHIPPABLE:
        return {}
    shipped = shipped_quantities(ctx, [order.id])
    return {ln.sku: ln.quantity - shipped.get(ln.id, 0) for ln in order.lines if ln.quantity > shipped.get(ln.id, 0)}


def require_shippable(order: SalesOrder) -> None:
    if order.status in SHIPPABLE:
        return
    if order.status in ("shipped", "delivered"):
        raise Conflict(f"{order.number} is {label_of(order.status)}; nothing is left to ship.")
    hint = "A manager must approve it first." if order.status in HOLDS else None
    raise Conflict(f"{order.number} is {order.status}; only confirmed orders can ship.", hint=hint)


def check_ship_date(ctx: ToolContext, order: SalesOrder, shipped_on: date) -> None:
    if shipped_on > ctx.today:
        raise InvalidInput(f"Ship date {shipped_on} is in the future.", hint="Ship it on the day it leaves.")
    if shipped_on < order.ordered_on:
        raise InvalidInput(f"Ship date {shipped_on} is before {order.number} was ordered ({order.ordered_on}).",
                           hint=f"Give the day it shipped, from {order.ordered_on} to today ({ctx.today}).")


def _checked(order: SalesOrder, left: dict[str, int], wanted: dict[str, int] | None) -> dict[str, int]:
    """The units to ship by SKU as the order spells them: all that is left, or what was asked, if it is left."""
    if not left:
        raise Conflict(f"Nothing is left to ship on {order.number}.")
    if wanted is None:
        return left
    skus = {ln.sku.upper(): ln.sku for ln in order.lines}
    remaining = ", ".join(f"{q} × {s}" for s, q in left.items())
    checked: dict[str, int] = {}
    for sku, quantity in wanted.items():
        own = skus.get(sku.upper())
        if own is None:
            raise InvalidInput(f"{order.number} has no line for {sku}.", hint=f"Left to ship: {remaining}.")
        if quantity > left.get(own, 0):
            raise InvalidInput(f"Only {left.get(own, 0)} {own} left to ship on {order.number}; you asked for "
                               f"{quantity}.", hint=f"Left to ship: {remaining}.")
        checked[own] = checked.get(own, 0) + quantity
    return checked


def book_shipment(ctx: ToolContext, order: SalesOrder, customer: Customer, wanted: dict[str, int] | None,
                  shipped_on: date, carrier: str | None, tracking: str | None) -> tuple[Shipment, Invoice]:
    """One shipment of a locked, shippable order: `wanted` units by SKU, or None for all that is left."""
    require_shippable(order)
    check_ship_date(ctx, order, shipped_on)
    left = left_to_ship(ctx, order)
    units = _checked(order, left, wanted)
    ship(ctx, order, units)
    lines = {ln.sku: ln for ln in order.lines}
    late = any(lines[s].promised_date is not None and shipped_on > lines[s].promised_date for s in units)
    shipment = Shipment(
        number=next_number(ctx.session, "DN", shipped_on.year), order_id=order.id, customer_id=customer.id,
        status="shipped", shipped_on=shipped_on, carrier=carrier, tracking=tracking, late=late,
        created_by=ctx.requested_by, created_at=ctx.now,
        lines=[ShipmentLine(order_line_id=lines[s].id, sku=s, quantity=q) for s, q in units.items()],
    )
    ctx.session.add(shipment)
    ctx.session.flush()
    amount = money(sum((lines[s].unit_price * q for s, q in units.items()), Decimal(0)))
    tax = money(amount * ctx.rules.tax_rate)
    invoice = Invoice(
        number=next_number(ctx.session, "INV", shipped_on.year), customer_id=customer.id, order_id=order.id,
        shipment_id=shipment.id, rep=order.rep, issue_date=shipped_on,
        due_date=shipped_on + timedelta(days=customer.payment_terms_days), amount=amount, tax=tax,
        total=amount + tax, cost=money(sum((lines[s].unit_cost * q for s, q in units.items()), Decimal(0))),
        paid_amount=Decimal(0), status="open", created_at=ctx.now,
    )
    ctx.session.add(invoice)
    everything = all(units.get(s, 0) == q for s, q in left.items())
    order.status = "shipped" if everything else "partially_shipped"
    order.shipped_on, order.tracking, order.updated_at = shipped_on, tracking, ctx.now
    ctx.session.flush()
    ctx.audit("issue_delivery_note", "shipment", shipment.number, None, {
        "order": order.number, "shipped_on": str(shipped_on), "carrier": carrier, "tracking": tracking,
        "late": late, "lines": [{"sku": s, "quantity": q} for s, q in units.items()]})
    ctx.audit("issue_invoice", "invoice", invoice.number, None,
              {"total": str(invoice.total), "shipment": shipment.number})
    return shipment, invoice


def all_delivered(ctx: ToolContext, order: SalesOrder) -> bool:
    """Every delivery note of the order has its proof of delivery."""
    return not ctx.session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.order_id == order.id, Shipment.status != "delivered"))
