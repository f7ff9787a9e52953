"""What the order tools answer: an order as shown, the result of each order action and how it reads,
and lists of orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.money import fmt, ratio
from core.pricing import discount, percent
from db.models import Invoice, SalesOrder, Shipment, ShipmentLine
from tools.context import ToolContext
from tools.credit import CreditDecisionView
from tools.schemas import CustomerRef, Money, Result

HOLDS = ("credit_hold", "price_hold")  # an order waiting for a manager's Approve or Reject
INVOICED = ("partially_shipped", "shipped", "delivered")  # each shipment issued an invoice


class LineView(Result):
    sku: str
    quantity: int
    unit_price: Money
    line_total: Money
    shipped: int = 0  # units shipped so far
    promised_date: date | None = None


class PriceOverride(Result):
    """A line priced other than at its list price, as checked when the order was taken."""

    sku: str
    unit_price: Money
    list_price: Money
    unit_cost: Money
    reasons: list[str] = []  # why it needs a manager; empty when the price is within the guard

    def text(self) -> str:
        """E.g. 'list 12.50, 20% off; margin 2.90 a unit (29%)' or '…; margin -7.09 a unit, below cost'."""
        off = discount(self.unit_price, self.list_price)
        where = f"list {fmt(self.list_price)}" + (f", {percent(off)} off" if off else "")
        margin = self.unit_price - self.unit_cost
        share = f" ({percent(margin / self.unit_price)})" if margin >= 0 and self.unit_price else ""
        return f"{where}; margin {fmt(margin)} a unit" + (share or (", below cost" if margin < 0 else ""))


class OrderView(Result):
    number: str
    customer: CustomerRef
    status: str
    rep: str
    ordered_on: date
    total: Money
    currency: str
    lines: list[LineView]
    credit: CreditDecisionView | None = None
    shipped_on: date | None = None
    tracking: str | None = None
    invoice_number: str | None = None
    note: str | None = None
    decided_by: str | None = None  # the manager who approved or rejected a hold
    decision_reason: str | None = None  # theirs, or why the order was cancelled
    price: list[PriceOverride] = []  # lines not at list price, with their margin
    deliveries: list[str] = []  # its delivery notes, oldest first
    revenue: Money = Decimal(0)  # net of tax, at the order's prices
    cost: Money = Decimal(0)  # at each line's unit cost when it was ordered

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    def profit_text(self) -> str:
        share = f" ({ratio(self.margin * 100, self.revenue, '0.1')}%)" if self.revenue else ""
        return (f"revenue {fmt(self.revenue, self.currency)}, cost {fmt(self.cost, self.currency)}, "
                f"margin {fmt(self.margin, self.currency)}{share}")

    @property
    def price_reasons(self) -> list[str]:
        return [reason for override in self.price for reason in override.reasons]

    def lines_text(self) -> str:
        overrides = {o.sku: o for o in self.price}
        return ", ".join(f"{ln.quantity} × {ln.sku} at {fmt(ln.unit_price)}"
                         + (f" ({overrides[ln.sku].text()})" if ln.sku in overrides else "")
                         + (f", promised by {ln.promised_date}" if ln.promised_date else "") for ln in self.lines)


class InvoiceAmounts(Result):
    """The invoice a fulfilment issues: what the confirmation must show before anyone clicks."""

    number: str
    net: Money
    tax: Money
    total: Money


class OrderResult(Result):
    action: str  # create, cancel, cancel_rest, fulfil, approve, reject; approve_price: price approved, credit holds
    order: OrderView
    invoice: InvoiceAmounts | None = None  # set by fulfil_order
    hold: str | None = None  # the hold a manager decided: credit or price

    def describe(self, done: bool) -> str:
        """What will happen (a proposal's summary: every argument that runs, as stored) or what did."""
        o = self.order
        total = fmt(o.total, o.currency)
        note = f' Note: "{o.note}".' if o.note else ""
        if self.action == "create":
            if not done:
                return f"Create an order for {o.customer.name}: {o.lines_text()}; total {total}.{note} {self._then()}"
            if o.status in HOLDS:
                return (f"Order {o.number} for {o.customer.name} ({total}) is on {label_of(o.status)} and waits "
                        "for a manager.")
            return f"Order {o.number} for {o.customer.name} ({total}) is confirmed; stock reserved."
        if self.action == "fulfil" and self.invoice is not None:
            inv = self.invoice
            amounts = f"{fmt(inv.net)} + tax {fmt(inv.tax)} = {fmt(inv.total, o.currency)}"
            tracking = f'tracking "{o.tracking}"' if o.tracking else "no tracking code"
            if not done:
                return (f"Ship order {o.number} for {o.customer.name} on {o.shipped_on} ({tracking}) and invoice "
                        f"{amounts}.")
            note = f" Delivery note {o.deliveries[-1]}." if o.deliveries else ""
            return f"Order {o.number} shipped; invoice {inv.number} issued for {amounts}.{note}"
        hold = (self.hold or "credit").capitalize()
        verbs = {
            "cancel": ("Cancel order {n} for {c} ({t}). Reason: {r}", "Order {n} is cancelled."),
            "cancel_rest": ("Cancel what is left to ship on order {n} for {c} ({u}); what shipped stays invoiced. "
                            "Reason: {r}", "The rest of order {n} is cancelled ({u}); what shipped stays invoiced."),
            "approve": ("Approve {h} hold on {n} for {c} ({t}).",
                        "{H} hold on {n} approved by <@{d}>: the order is confirmed and its stock reserved."),
            "approve_price": ("Approve the price on {n} for {c} ({t}); the credit check then holds it: {k}.",
                              "Price on {n} approved by <@{d}>; the credit check now holds it ({k}), so it waits "
                              "for a manager's credit approval."),
            "reject": ("Reject order {n} for {c} ({t}).", "Order {n} rejected by <@{d}> and cancelled: {r}"),
        }
        text = verbs[self.action][1 if done else 0]
        return text.format(n=o.number, c=o.customer.name, t=total, i=o.invoice_number or "", d=o.decided_by,
                           r=o.decision_reason, h=hold.lower(), H=hold,
                           k="; ".join(o.credit.reasons) if o.credit else "",
                           u=", ".join(f"{ln.quantity - ln.shipped} × {ln.sku}" for ln in o.lines
                                       if ln.quantity > ln.shipped))

    def _then(self) -> str:
        """A new order's checks: what happens once it is confirmed."""
        o = self.order
        credit = o.credit.decision if o.credit else "approve"
        held = "credit hold: " + "; ".join(o.credit.reasons) if credit != "approve" else ""
        if o.price_reasons:
            later = f" Credit check now: {held}." if held else ""
            return (f"Price check: it will wait for a manager (price hold: {'; '.join(o.price_reasons)}); the credit "
                    f"check runs again when the price is approved.{later}")
        if held:
            return f"Credit check: it will wait for a manager ({held})."
        return "Credit check: it will be confirmed and stock reserved."


def label_of(status: str) -> str:
    return status.replace("_", " ")


ORDER_LIST_LIMIT = 50


class OrderList(Result):
    orders: list[OrderView]
    more: int = 0  # how many more matched than are listed (the most recent are listed)
    customer: CustomerRef | None = None  # the filters asked for, so a list can be asked for again
    status: str | None = None


def order_view(ctx: ToolContext, order: SalesOrder) -> OrderView:
    return order_views(ctx, [order])[0]


def order_views(ctx: ToolContext, orders: list[SalesOrder]) -> list[OrderView]:
    """Many orders, each with the number of its (first) invoice and its shipments, in three queries."""
    ids = [o.id for o in orders]
    invoices: dict[int, str] = {}
    for order_id, number in ctx.session.execute(select(Invoice.order_id, Invoice.number).where(
            Invoice.order_id.in_(ids)).order_by(Invoice.id)):
        invoices.setdefault(order_id, number)
    deliveries: dict[int, list[str]] = {}
    for order_id, number in ctx.session.execute(select(Shipment.order_id, Shipment.number).where(
            Shipment.order_id.in_(ids)).order_by(Shipment.id)):
        deliveries.setdefault(order_id, []).append(number)
    shipped: dict[int, int] = {}
    if deliveries:
        shipped = {line_id: int(units) for line_id, units in ctx.session.execute(
            select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.order_id.in_(list(deliveries))).group_by(ShipmentLine.order_line_id))}
    return [_view(ctx, o, invoices.get(o.id), deliveries.get(o.id, []), shipped) for o in orders]


def _view(ctx: ToolContext, order: SalesOrder, invoice: str | None, deliveries: list[str],
          shipped: dict[int, int]) -> OrderView:
    # The checks taken with the order live in one JSON column: the credit decision, and under "price"
    # the lines priced off list (no column of their own, so no schema change for the price guard).
    credit = dict(order.credit_decision or {})
    price = credit.pop("price", [])
    credit = credit or None
    return OrderView(
        number=order.number, customer=CustomerRef(code=order.customer.code, name=order.customer.name),
        status=order.status, rep=order.rep, ordered_on=order.ordered_on, total=order.total,
        currency=ctx.rules.currency,
        lines=[LineView(sku=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price, line_total=ln.line_total,
                        shipped=shipped.get(ln.id, 0), promised_date=ln.promised_date) for ln in order.lines],
        credit=CreditDecisionView(**credit) if credit else None, shipped_on=order.shipped_on,
        tracking=order.tracking, invoice_number=invoice, note=order.note, decided_by=order.decided_by,
        decision_reason=order.decision_reason, price=[PriceOverride(**p) for p in price],
        deliveries=deliveries, revenue=sum((ln.line_total for ln in order.lines), Decimal(0)),
        cost=sum((ln.unit_cost * ln.quantity for ln in order.lines), Decimal(0)),
    )
