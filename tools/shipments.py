"""Shipments: ship all or part of an order (each shipment a delivery note with its own invoice), record a
proof of delivery, and look a delivery note up. The booking itself lives in tools/shipping.py."""

from __future__ import annotations

from pydantic import Field, model_validator
from sqlalchemy import select

from core.errors import Conflict, InvalidInput
from core.roles import Role
from db.models import SalesOrder, Shipment
from tools.context import ToolContext
from tools.lookup import lock_customer, resolve_order, resolve_shipment
from tools.order_views import InvoiceAmounts, OrderResult, order_view
from tools.orders import MAX_QUANTITY
from tools.registry import resolves, tool
from tools.schemas import Args, FlexDate
from tools.shipment_views import DeliveryNotes, LeftToShip, ShipmentResult, shipment_view
from tools.shipping import all_delivered, book_shipment, left_to_ship


def _snapshot(order: SalesOrder) -> dict:
    return {"number": order.number, "status": order.status, "total": str(order.total)}


class ShipLineArgs(Args):
    sku: str = Field(description="SKU on the order")
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="whole units to ship now")


class ShipOrderArgs(Args):
    order_number: str
    lines: list[ShipLineArgs] = Field(default_factory=list, max_length=50,
                                      description="what ships now; empty: everything left")
    shipped_on: FlexDate | None = Field(None, description="default: today")
    carrier: str | None = Field(None, max_length=80)
    tracking: str | None = Field(None, max_length=120)

    @model_validator(mode="after")
    def _each_sku_once(self) -> ShipOrderArgs:
        skus = [ln.sku.upper() for ln in self.lines]
        if len(set(skus)) != len(skus):
            raise ValueError("the same SKU appears twice; put each SKU once with the units that ship")
        return self


@tool("write", {Role.SALES, Role.MANAGER})
def ship_order(ctx: ToolContext, args: ShipOrderArgs) -> ShipmentResult:
    """Ship all or part of a confirmed order: a delivery note and its own invoice."""
    order = resolve_order(ctx, args.order_number, lock=True)  # parallel shipments of one order queue here
    customer = lock_customer(ctx, order.customer_id)
    before = _snapshot(order)
    wanted = {ln.sku: ln.quantity for ln in args.lines} or None
    shipment, invoice = book_shipment(ctx, order, customer, wanted, args.shipped_on or ctx.today, args.carrier,
                                      args.tracking)
    ctx.audit("ship_order", "order", order.number, before, {**_snapshot(order), "shipment": shipment.number})
    left = left_to_ship(ctx, order)
    return ShipmentResult(
        action="ship", shipment=shipment_view(ctx, shipment), order_status=order.status,
        invoice=InvoiceAmounts(number=invoice.number, net=invoice.amount, tax=invoice.tax, total=invoice.total),
        currency=ctx.rules.currency, left=[LeftToShip(sku=s, quantity=q) for s, q in left.items()])


@resolves(ship_order)
def _resolve_ship_order(ctx: ToolContext, args: ShipOrderArgs) -> ShipOrderArgs:
    """The lines shown are the ones that ship: "everything left" is spelled out as of the proposal, so a
    shipment booked before the click makes the confirmation fail rather than ship something else."""
    order = resolve_order(ctx, args.order_number)
    lines = args.lines or [ShipLineArgs(sku=s, quantity=q) for s, q in left_to_ship(ctx, order).items()]
    skus = {ln.sku.upper(): ln.sku for ln in order.lines}
    lines = [ln.model_copy(update={"sku": skus.get(ln.sku.upper(), ln.sku)}) for ln in lines]
    return args.model_copy(update={"order_number": order.number, "lines": lines,
                                   "shipped_on": args.shipped_on or ctx.today})


class FulfilOrderArgs(Args):
    order_number: str
    shipped_on: FlexDate | None = Field(None, description="default: today")
    tracking: str | None = Field(None, max_length=120)


@tool("write", {Role.SALES, Role.MANAGER})
def fulfil_order(ctx: ToolContext, args: FulfilOrderArgs) -> OrderResult:
    """Ship everything left on a confirmed order and issue its invoice."""
    order = resolve_order(ctx, args.order_number, lock=True)
    customer = lock_customer(ctx, order.customer_id)
    before = _snapshot(order)
    shipment, invoice = book_shipment(ctx, order, customer, None, args.shipped_on or ctx.today, None, args.tracking)
    ctx.audit("fulfil_order", "order", order.number, before, {**_snapshot(order), "shipment": shipment.number})
    return OrderResult(action="fulfil", order=order_view(ctx, order), invoice=InvoiceAmounts(
        number=invoice.number, net=invoice.amount, tax=invoice.tax, total=invoice.total))


@resolves(fulfil_order)
def _resolve_fulfil_order(ctx: ToolContext, args: FulfilOrderArgs) -> FulfilOrderArgs:
    """The ship date shown is the one booked, also when the click comes after midnight."""
    return args.model_copy(update={"order_number": resolve_order(ctx, args.order_number).number,
                                   "shipped_on": args.shipped_on or ctx.today})


class ConfirmDeliveryArgs(Args):
    delivery_number: str = Field(description="DN-YYYY-NNNNN")
    signed_by: str | None = Field(None, max_length=120, description="who signed for it, if said")
    delivered_on: FlexDate | None = Field(None, description="default: today")


@tool("write", {Role.SALES, Role.MANAGER})
def confirm_delivery(ctx: ToolContext, args: ConfirmDeliveryArgs) -> ShipmentResult:
    """Record proof of delivery of a delivery note (who signed, on which day)."""
    found = resolve_shipment(ctx, args.delivery_number)
    order = resolve_order(ctx, found.order.number, lock=True)  # the order's status depends on all its notes
    shipment = resolve_shipment(ctx, found.number, lock=True)
    delivered_on = args.delivered_on or ctx.today
    if shipment.status == "delivered":
        signed = f", signed by {shipment.signed_by}" if shipment.signed_by else ""
        raise Conflict(f"{shipment.number} was already delivered on {shipment.delivered_on}{signed}.")
    if delivered_on > ctx.today:
        raise InvalidInput(f"Delivery date {delivered_on} is in the future.", hint="Record it once it arrived.")
    if delivered_on < shipment.shipped_on:
        raise InvalidInput(f"Delivery date {delivered_on} is before {shipment.number} shipped "
                           f"({shipment.shipped_on}).", hint=f"Give a day from {shipment.shipped_on} to today.")
    before = {"status": shipment.status, "order_status": order.status}
    shipment.status, shipment.delivered_on, shipment.signed_by = "delivered", delivered_on, args.signed_by
    shipment.delivery_recorded_by = ctx.actor.user_id
    ctx.session.flush()
    if order.status == "shipped" and all_delivered(ctx, order):
        order.status, order.updated_at = "delivered", ctx.now
    ctx.audit("confirm_delivery", "shipment", shipment.number, before, {
        "status": shipment.status, "delivered_on": str(delivered_on), "signed_by": args.signed_by,
        "order_status": order.status})
    return ShipmentResult(action="deliver", shipment=shipment_view(ctx, shipment), order_status=order.status,
                          currency=ctx.rules.currency)


@resolves(confirm_delivery)
def _resolve_confirm_delivery(ctx: ToolContext, args: ConfirmDeliveryArgs) -> ConfirmDeliveryArgs:
    return args.model_copy(update={"delivery_number": resolve_shipment(ctx, args.delivery_number).number,
                                   "delivered_on": args.delivered_on or ctx.today})


class DeliveryStatusArgs(Args):
    delivery_number: str | None = Field(None, description="DN-YYYY-NNNNN")
    order_number: str | None = Field(None, description="an order, for all its delivery notes")


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def delivery_status(ctx: ToolContext, args: DeliveryStatusArgs) -> DeliveryNotes:
    """A delivery note's shipment and proof of delivery, or an order's delivery notes."""
    if args.delivery_number:
        shipment = resolve_shipment(ctx, args.delivery_number)
        ctx.viewed("shipment", [shipment.number])
        return DeliveryNotes(notes=[shipment_view(ctx, shipment)])
    if not args.order_number:
        raise InvalidInput("Which delivery note or order?", hint="Give a number like DN-2026-00042 or SO-2026-00042.")
    order = resolve_order(ctx, args.order_number)
    shipments = ctx.session.scalars(select(Shipment).where(Shipment.order_id == order.id)
                                    .order_by(Shipment.id)).all()
    ctx.viewed("shipment", [s.number for s in shipments])
    return DeliveryNotes(notes=[shipment_view(ctx, s) for s in shipments], order_number=order.number)
