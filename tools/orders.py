"""Orders: create (stock, price, credit), cancel, fulfil (ships and invoices), decide a hold, status.
What they answer lives in tools/order_views.py and the stock they hold in tools/stock.py; the names
others import from here are re-exported."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.credit import CreditDecision
from core.errors import Conflict, InvalidInput
from core.money import MAX_AMOUNT, MAX_AMOUNT_TEXT, fmt, money
from core.pricing import price_reasons
from core.roles import Role
from db.models import Customer, OrderLine, Product, SalesOrder
from db.numbering import next_number
from tools.context import ToolContext
from tools.credit import CreditDecisionView, decide
from tools.lookup import lock_customer, resolve_customer, resolve_order, resolve_products
from tools.order_views import HOLDS, INVOICED, OrderList, OrderResult, PriceOverride, order_view, order_views
from tools.order_views import ORDER_LIST_LIMIT as ORDER_LIST_LIMIT  # re-exported: bot/ and tests import these
from tools.order_views import OrderView as OrderView
from tools.order_views import label_of as label_of
from tools.registry import resolves, tool
from tools.schemas import Args, CustomerRef, FlexDate, PositiveMoney
from tools.shipping import all_delivered, left_to_ship
from tools.stock import release, require_stock, reserve


def _snapshot(order: SalesOrder) -> dict:
    return {"number": order.number, "status": order.status, "total": str(order.total)}


MAX_QUANTITY = 1_000_000  # units on one order line


class OrderLineArgs(Args):
    sku: str = Field(description="product SKU the user named")
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="whole units")
    unit_price: PositiveMoney | None = Field(None, description="only if quoted")
    promised_date: FlexDate | None = Field(None, description="only if a delivery date was promised")

    @model_serializer(mode="wrap")
    def _promise_only_if_made(self, handler: SerializerFunctionWrapHandler) -> dict:
        """A line without a promised date is stored as it always was."""
        data = handler(self)
        if data.get("promised_date") is None:
            data.pop("promised_date", None)
        return data


class CreateOrderArgs(Args):
    customer: str = Field(description="customer code or name")
    lines: list[OrderLineArgs] = Field(default_factory=list, max_length=50)
    note: str | None = Field(None, max_length=500)
    same_as_last: bool = Field(False, description="repeat the customer's last order")

    @model_validator(mode="after")
    def _has_lines(self) -> CreateOrderArgs:
        if not self.lines and not self.same_as_last:
            raise ValueError("give the lines (quantity and SKU of at least one), or ask for the same as last time")
        return self


@tool("write", {Role.SALES, Role.MANAGER})
def create_order(ctx: ToolContext, args: CreateOrderArgs) -> OrderResult:
    """Create a sales order (checks stock, price and credit)."""
    customer = resolve_customer(ctx, args.customer)
    lock_customer(ctx, customer.id)
    skus = [ln.sku.upper() for ln in args.lines]
    if len(set(skus)) != len(skus):
        raise InvalidInput("The same SKU appears twice.", hint="Put each SKU once with the total quantity.")
    products = resolve_products(ctx, skus, lock=True)
    overrides: list[PriceOverride] = []
    order = SalesOrder(
        number="", customer_id=customer.id, customer=customer, rep=ctx.requested_by, status="credit_hold",
        total=Decimal(0), credit_decision={}, note=args.note, ordered_on=ctx.today,
        created_at=ctx.now, updated_at=ctx.now,
    )
    for line in args.lines:
        product: Product = products[line.sku.upper()]
        if not product.active:
            raise InvalidInput(f"{product.sku} is no longer sold.")
        require_stock(product, line.quantity, asked=True)
        price = line.unit_price or product.price
        if price != product.price:
            overrides.append(PriceOverride(
                sku=product.sku, unit_price=price, list_price=product.price, unit_cost=product.cost,
                reasons=price_reasons(product.sku, price, product.price, product.cost, ctx.rules.max_discount)))
        order.lines.append(OrderLine(
            product_id=product.id, sku=product.sku, quantity=line.quantity, unit_price=price,
            unit_cost=product.cost, line_total=money(price * line.quantity), promised_date=line.promised_date,
        ))
    order.total = money(sum((ln.line_total for ln in order.lines), Decimal(0)))
    if order.total > MAX_AMOUNT:
        raise InvalidInput(f"The order total {fmt(order.total)} is more than the books hold (at most "
                           f"{MAX_AMOUNT_TEXT}).", hint="Split it into smaller orders.")
    # The price guard comes first: a price held for a manager leaves the stock free, and the credit check
    # runs again when the price is approved (the exposure may have changed by then).
    decision = decide(ctx, customer, order.total)
    order.credit_decision = _checks(decision, overrides)
    if any(o.reasons for o in overrides):
        order.status = "price_hold"
    elif decision.approved:
        order.status = "confirmed"
        for line in order.lines:
            products[line.sku.upper()].stock_reserved += line.quantity
    order.number = next_number(ctx.session, "SO", ctx.today.year)
    ctx.session.add(order)
    ctx.session.flush()
    lines = [{"sku": ln.sku, "quantity": ln.quantity, "unit_price": str(ln.unit_price), "unit_cost": str(ln.unit_cost)}
             for ln in order.lines]
    ctx.audit("create_order", "order", order.number, None,
              {**_snapshot(order), "customer": customer.code, "lines": lines})
    return OrderResult(action="create", order=order_view(ctx, order))


def _checks(decision: CreditDecision, overrides: list[PriceOverride]) -> dict:
    """What `credit_decision` stores: the credit decision, and the lines priced off list under "price"."""
    stored = CreditDecisionView.of(decision).model_dump(mode="json")
    return {**stored, "price": [o.model_dump(mode="json") for o in overrides]} if overrides else stored


@resolves(create_order)
def _resolve_create_order(ctx: ToolContext, args: CreateOrderArgs) -> CreateOrderArgs:
    """The customer by its code, each SKU as stored, and each line's price fixed as shown (list price
    unless one was quoted): a list price changed before the click does not change what was confirmed."""
    customer = resolve_customer(ctx, args.customer)
    if args.same_as_last and not args.lines:
        args = args.model_copy(update={"lines": _last_lines(ctx, customer)})
    products = resolve_products(ctx, [ln.sku for ln in args.lines])
    lines = [ln.model_copy(update={"sku": products[ln.sku.upper()].sku,
                                   "unit_price": ln.unit_price or products[ln.sku.upper()].price})
             for ln in args.lines]
    return args.model_copy(update={"customer": customer.code, "lines": lines, "same_as_last": False})


def _last_lines(ctx: ToolContext, customer: Customer) -> list[OrderLineArgs]:
    """The SKUs and quantities of the customer's latest order that was not cancelled, at today's prices."""
    last = ctx.session.scalars(select(SalesOrder).where(SalesOrder.customer_id == customer.id,
                                                        SalesOrder.status != "cancelled")
                               .order_by(SalesOrder.ordered_on.desc(), SalesOrder.id.desc()).limit(1)).first()
    if last is None:
        raise InvalidInput(f"{customer.name} has no earlier order to repeat.",
                           hint=f"Name the lines, e.g. `order {customer.code} 10 WIDGET-1`.")
    return [OrderLineArgs(sku=ln.sku, quantity=ln.quantity) for ln in last.lines]


class CancelOrderArgs(Args):
    order_number: str
    reason: str = Field(min_length=2, max_length=500)


@tool("write", {Role.SALES, Role.MANAGER})
def cancel_order(ctx: ToolContext, args: CancelOrderArgs) -> OrderResult:
    """Cancel an unshipped order, or what is left of a partly shipped one, at the customer's request."""
    order = resolve_order(ctx, args.order_number, lock=True)
    lock_customer(ctx, order.customer_id)
    before = _snapshot(order)
    if order.status not in (*HOLDS, "confirmed", "partially_shipped"):
        raise Conflict(f"{order.number} is {label_of(order.status)}; only unshipped orders can be cancelled.")
    if order.status == "partially_shipped":  # what shipped stays shipped and invoiced; the rest is given back
        release(ctx, order, left_to_ship(ctx, order))
        order.status = "delivered" if all_delivered(ctx, order) else "shipped"
        order.decision_reason, order.updated_at = args.reason, ctx.now
        ctx.audit("cancel_rest_of_order", "order", order.number, before, _snapshot(order))
        return OrderResult(action="cancel_rest", order=order_view(ctx, order))
    if order.status == "confirmed":
        release(ctx, order)
    order.status, order.decision_reason, order.updated_at = "cancelled", args.reason, ctx.now
    ctx.audit("cancel_order", "order", order.number, before, _snapshot(order))
    return OrderResult(action="cancel", order=order_view(ctx, order))


@resolves(cancel_order)
def _resolve_cancel_order(ctx: ToolContext, args: CancelOrderArgs) -> CancelOrderArgs:
    return args.model_copy(update={"order_number": resolve_order(ctx, args.order_number).number})


class ApproveCreditHoldArgs(Args):
    order_number: str
    approve: bool = Field(description="false = reject")
    reason: str = Field(min_length=2, max_length=500)
    hold: Literal["credit", "price"] | None = Field(None, description="the hold decided; default: the order's")


@tool("write", {Role.MANAGER})
def approve_credit_hold(ctx: ToolContext, args: ApproveCreditHoldArgs) -> OrderResult:
    """A manager's decision on an order on credit or price hold: approve it, or reject it (approve=false)."""
    order = resolve_order(ctx, args.order_number, lock=True)
    customer = lock_customer(ctx, order.customer_id)
    before = _snapshot(order)
    if order.status not in HOLDS or (args.hold and order.status != f"{args.hold}_hold"):
        raise Conflict(f"{order.number} is {label_of(order.status)}, not on {args.hold or 'credit or price'} hold.")
    hold = order.status.removesuffix("_hold")
    action = "approve" if args.approve else "reject"
    if not args.approve:
        order.status = "cancelled"
    elif hold == "price":  # the price is approved; the credit check decides again, as of now
        decision = decide(ctx, customer, order.total)
        order.credit_decision = {**CreditDecisionView.of(decision).model_dump(mode="json"),
                                 **{k: v for k, v in order.credit_decision.items() if k == "price"}}
        if decision.approved:
            reserve(ctx, order)
            order.status = "confirmed"
        else:
            order.status, action = "credit_hold", "approve_price"
    else:
        reserve(ctx, order)
        order.status = "confirmed"
    order.decided_by, order.decision_reason, order.updated_at = ctx.actor.user_id, args.reason, ctx.now
    ctx.audit(f"{'approve' if args.approve else 'reject'}_{hold}_hold", "order", order.number,
              before, _snapshot(order))
    return OrderResult(action=action, order=order_view(ctx, order), hold=hold)


@resolves(approve_credit_hold)
def _resolve_hold_decision(ctx: ToolContext, args: ApproveCreditHoldArgs) -> ApproveCreditHoldArgs:
    """The hold the order is on now is the one decided: a confirmation cannot fall on a later hold."""
    order = resolve_order(ctx, args.order_number)
    hold = args.hold or (order.status.removesuffix("_hold") if order.status in HOLDS else None)
    return args.model_copy(update={"order_number": order.number, "hold": hold})


class OrderStatusArgs(Args):
    order_number: str | None = None
    customer: str | None = Field(None, description="customer name or code")
    status: Literal["open", "held", "credit_hold", "price_hold", "confirmed", "partially_shipped", "shipped",
                    "delivered", "invoiced", "cancelled"] | None = None


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def order_status(ctx: ToolContext, args: OrderStatusArgs) -> OrderList:
    """An order's status, or a customer's recent orders."""
    if args.order_number:
        order = resolve_order(ctx, args.order_number)
        ctx.viewed("order", [order.number])
        return OrderList(orders=[order_view(ctx, order)])
    query = select(SalesOrder)
    if args.status == "open":
        query = query.where(SalesOrder.status.in_((*HOLDS, "confirmed", "partially_shipped")))
    elif args.status == "invoiced":  # every order with an invoice: each shipment issues one
        query = query.where(SalesOrder.status.in_(INVOICED))
    elif args.status == "held":
        query = query.where(SalesOrder.status.in_(HOLDS))
    elif args.status:
        query = query.where(SalesOrder.status == args.status)
    customer = resolve_customer(ctx, args.customer) if args.customer else None
    if customer:
        query = query.where(SalesOrder.customer_id == customer.id)
    elif not ctx.sees_all:
        query = query.join(Customer, SalesOrder.customer_id == Customer.id).where(
            Customer.owner_rep == ctx.actor.user_id
        )
    matched = ctx.session.scalar(select(func.count()).select_from(query.subquery()))
    orders = ctx.session.scalars(query.options(selectinload(SalesOrder.lines)).order_by(SalesOrder.id.desc())
                                 .limit(ORDER_LIST_LIMIT)).unique().all()
    ctx.viewed("order", [o.number for o in orders])
    return OrderList(orders=order_views(ctx, orders), more=max(matched - len(orders), 0),
                     customer=CustomerRef(code=customer.code, name=customer.name) if customer else None,
                     status=args.status)
