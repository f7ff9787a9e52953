"""What the alert pass looks for, as of a day: each condition found with who should hear of it and the
facts its message shows. Reads only; the alert outbox decides what is new, cleared or already told."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.alerts import AlertThresholds, outlier_reasons, worsening_reasons
from core.money import money
from core.risk import expected_lateness, payment_stats, risk_grade
from core.roles import Role
from core.sales_trend import days_of_cover
from db.exposure import credit_inputs
from db.models import Customer, Invoice, Member, OrderLine, Product, SalesOrder, ShipmentLine
from db.reports import IS_OPEN

OPEN_ORDER = ("credit_hold", "price_hold", "confirmed", "partially_shipped")
BEFORE_CONFIRMATION = ("credit_hold", "price_hold")


@dataclass(frozen=True)
class Found:
    kind: str
    subject: str
    recipients: tuple[str, ...]
    facts: dict[str, Any] = field(default_factory=dict)


class Recipients:
    """Active members only, each once, in the order named; a role stands in where nobody is named."""

    def __init__(self, session: Session):
        self.active = {m.slack_user_id: m.role for m in session.scalars(select(Member).where(Member.active.is_(True)))}
        self.managers = sorted(u for u, role in self.active.items() if role == Role.MANAGER.value)

    def of(self, *people: str | None, fallback: tuple[str, ...] = ()) -> tuple[str, ...]:
        named = [p for p in people if p and p in self.active]
        return tuple(dict.fromkeys(named or fallback))


def detect(session: Session, today: date, limits: AlertThresholds, currency: str,
           trends: dict[str, Any] | None = None) -> list[Found]:
    """Every condition that holds on `today`; `trends` (sku → sales trend with a monthly `forecast`)
    feeds the stock run-out check."""
    people = Recipients(session)
    found: list[Found] = []
    checks = {("exposure",): lambda: exposure(session, today, limits, currency, people),
              ("worsening",): lambda: worsening(session, today, limits, people),
              ("broken_promise",): lambda: broken_promises(session, today, currency, people),
              ("outlier_order",): lambda: outlier_orders(session, today, limits, currency, people),
              ("stock_short", "stock_runout"): lambda: stock(session, today, limits, people, trends or {}),
              ("late_delivery",): lambda: late_deliveries(session, today, people)}
    for kinds, check in checks.items():
        if set(kinds) - set(limits.off):
            found.extend(f for f in check() if f.kind not in limits.off and f.recipients)
    return found


def exposure(session: Session, today: date, limits: AlertThresholds, currency: str,
             people: Recipients) -> list[Found]:
    """Customers using at least the share of their credit limit (open balances and orders not invoiced)."""
    out = []
    for customer in session.scalars(select(Customer).where(Customer.credit_limit > 0).order_by(Customer.code)):
        inputs = credit_inputs(session, customer, today)
        used = inputs.open_balance + inputs.uninvoiced_orders
        if used >= limits.exposure_share * inputs.credit_limit:
            out.append(Found("exposure", customer.code, people.of(customer.owner_rep, customer.collector,
                                                                  fallback=tuple(people.managers)), {
                "customer": customer.code, "name": customer.name, "exposure": str(used),
                "limit": str(inputs.credit_limit), "share": str((used / inputs.credit_limit * 100).quantize(1)),
                "overdue": str(inputs.overdue_amount), "currency": currency}))
    return out


def _invoices_by_customer(session: Session) -> dict[int, list[tuple]]:
    rows: dict[int, list[tuple]] = defaultdict(list)
    for row in session.execute(select(Invoice.customer_id, Invoice.issue_date, Invoice.due_date, Invoice.paid_on,
                                      Invoice.total).where(Invoice.status != "void")):
        rows[row[0]].append(tuple(row[1:]))
    return rows


def _standing(invoices: list[tuple], on: date) -> tuple[str, float]:
    """A customer's risk grade and expected lateness as they stood on `on`, from what was known then."""
    settled = [(i, d, p, t) for i, d, p, t in invoices if p is not None and p <= on]
    overdue = [d for i, d, p, _ in invoices if i <= on and d < on and (p is None or p > on)]
    grade = risk_grade(payment_stats((d, p) for _, d, p, _ in settled), (on - min(overdue)).days if overdue else 0)
    return grade, expected_lateness(settled, on)


def worsening(session: Session, today: date, limits: AlertThresholds, people: Recipients) -> list[Found]:
    """Customers whose grade dropped, or whose expected lateness rose by the threshold, over the window."""
    then = today - timedelta(days=limits.worse_window_days)
    customers = {c.id: c for c in session.scalars(select(Customer))}
    out = []
    for customer_id, invoices in sorted(_invoices_by_customer(session).items()):
        if not any(i <= then for i, *_ in invoices):
            continue  # a customer newer than the window has nothing to have worsened from
        grade_then, late_then = _standing(invoices, then)
        grade_now, late_now = _standing(invoices, today)
        reasons = worsening_reasons(grade_then, grade_now, late_then, late_now, limits)
        if reasons:
            c = customers[customer_id]
            out.append(Found("worsening", c.code, people.of(c.collector, c.owner_rep, fallback=tuple(people.managers)),
                             {"customer": c.code, "name": c.name, "reasons": reasons, "grade": grade_now,
                              "since": then.isoformat()}))
    return out


def broken_promises(session: Session, today: date, currency: str, people: Recipients) -> list[Found]:
    """Open invoices whose promised payment date has passed with money still owed."""
    rows = session.execute(
        select(Invoice.number, Invoice.promised_on, Invoice.promised_amount, Invoice.balance, Customer.code,
               Customer.name, Customer.collector)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(IS_OPEN, Invoice.promised_on < today, Invoice.disputed.is_(False)).order_by(Invoice.number)).all()
    return [Found("broken_promise", f"{number}@{promised}", people.of(collector, fallback=tuple(people.managers)), {
        "invoice": number, "promised_on": promised.isoformat(), "promised_amount": str(promised_amount or ""),
        "balance": str(money(balance)), "customer": code, "name": name, "currency": currency})
        for number, promised, promised_amount, balance, code, name, collector in rows if money(balance) > 0]


def outlier_orders(session: Session, today: date, limits: AlertThresholds, currency: str,
                   people: Recipients) -> list[Found]:
    """Recent orders not yet shipped that are far above the customer's earlier orders, for a manager."""
    biggest = (select(OrderLine.order_id, func.max(OrderLine.quantity).label("qty"))
               .group_by(OrderLine.order_id).subquery())
    orders = session.execute(
        select(SalesOrder, biggest.c.qty).join(biggest, biggest.c.order_id == SalesOrder.id)
        .where(SalesOrder.status.in_(OPEN_ORDER),
               SalesOrder.ordered_on >= today - timedelta(days=limits.outlier_recent_days))
        .order_by(SalesOrder.id)).all()
    out = []
    for order, quantity in orders:
        earlier = session.execute(
            select(SalesOrder.total, biggest.c.qty).join(biggest, biggest.c.order_id == SalesOrder.id)
            .where(SalesOrder.customer_id == order.customer_id, SalesOrder.id < order.id,
                   SalesOrder.status != "cancelled")).all()
        reasons = outlier_reasons([money(t) for t, _ in earlier], [q for _, q in earlier], money(order.total),
                                  quantity, limits)
        if reasons:
            out.append(Found("outlier_order", order.number, people.of(*people.managers), {
                "order": order.number, "customer": order.customer.code, "name": order.customer.name,
                "total": str(money(order.total)), "currency": currency, "status": order.status, "rep": order.rep,
                "reasons": reasons, "awaiting_decision": order.status in BEFORE_CONFIRMATION}))
    return out


def _open_demand(session: Session) -> list[tuple]:
    """(sku, order number, rep, quantity still to ship) of every open order line."""
    shipped = (select(func.coalesce(func.sum(ShipmentLine.quantity), 0))
               .where(ShipmentLine.order_line_id == OrderLine.id).scalar_subquery())
    return session.execute(
        select(OrderLine.sku, SalesOrder.number, SalesOrder.rep, OrderLine.quantity - shipped)
        .join(SalesOrder, SalesOrder.id == OrderLine.order_id).where(SalesOrder.status.in_(OPEN_ORDER))
        .order_by(SalesOrder.id)).all()


def stock(session: Session, today: date, limits: AlertThresholds, people: Recipients,
          trends: dict[str, Any]) -> list[Found]:
    """Products whose open orders need more than is on hand, and products that will run out within their
    lead time at the forecast sales rate; to the reps with open orders of them and to managers."""
    demand: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for sku, number, rep, left in _open_demand(session):
        if left > 0:
            demand[sku].append((number, rep, left))
    out = []
    for product in session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.sku)):
        lines = demand.get(product.sku, [])
        needed = sum(q for *_, q in lines)
        to = people.of(*(rep for _, rep, _ in lines), *people.managers)
        base = {"sku": product.sku, "name": product.name, "on_hand": product.stock_on_hand, "open_orders": needed,
                "orders": sorted({n for n, *_ in lines})[:10]}
        if needed > product.stock_on_hand:
            out.append(Found("stock_short", product.sku, to, {**base, "short": needed - product.stock_on_hand}))
            continue
        trend = trends.get(product.sku)
        monthly = Decimal(trend.forecast[0]) if trend is not None and trend.forecast else Decimal(0)
        lead = product.lead_time_days or limits.lead_time_days
        cover = days_of_cover(product.stock_on_hand, needed, monthly)
        if cover is not None and cover < lead:
            out.append(Found("stock_runout", product.sku, to, {
                **base, "days_of_cover": str(cover), "lead_time_days": lead, "monthly_forecast": str(monthly),
                "runs_out_on": (today + timedelta(days=int(cover))).isoformat()}))
    return out


def late_deliveries(session: Session, today: date, people: Recipients) -> list[Found]:
    """Open orders with lines promised before today and not fully shipped; to the rep and managers."""
    shipped = (select(func.coalesce(func.sum(ShipmentLine.quantity), 0))
               .where(ShipmentLine.order_line_id == OrderLine.id).scalar_subquery())
    rows = session.execute(
        select(SalesOrder.number, SalesOrder.rep, Customer.code, Customer.name,
               func.min(OrderLine.promised_date), func.sum(OrderLine.quantity - shipped))
        .join(SalesOrder, SalesOrder.id == OrderLine.order_id).join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.status.in_(OPEN_ORDER), OrderLine.promised_date < today, OrderLine.quantity > shipped)
        .group_by(SalesOrder.number, SalesOrder.rep, Customer.code, Customer.name).order_by(SalesOrder.number)).all()
    return [Found("late_delivery", number, people.of(rep, *people.managers), {
        "order": number, "customer": code, "name": name, "promised": promised.isoformat(),
        "days_late": (today - promised).days, "units_left": int(left)})
        for number, rep, code, name, promised, left in rows]
