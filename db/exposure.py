"""A customer's credit exposure as the credit rule reads it: open balances, what is overdue and since
when, and confirmed orders not yet invoiced. One statement, since it runs inside every order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.credit import CreditInputs
from core.money import ZERO, money
from db.models import OPEN_STATUSES, Customer, Invoice, OrderLine, SalesOrder, ShipmentLine

# Orders that hold stock and count against the limit but have no invoice yet; of a partly shipped order,
# what is left to ship counts (each shipment was invoiced).
UNINVOICED_STATUSES = ("confirmed",)
PARTLY_INVOICED_STATUSES = ("partially_shipped",)


def credit_inputs(session: Session, customer: Customer, today: date, order_amount: Decimal = ZERO) -> CreditInputs:
    """Everything the credit rule needs about `customer` as of `today`, deciding an order of `order_amount`."""
    is_open = (Invoice.customer_id == customer.id, Invoice.status.in_(OPEN_STATUSES))
    oldest = (select(Invoice.number, Invoice.due_date).where(*is_open, Invoice.due_date < today)
              .order_by(Invoice.due_date, Invoice.id).limit(1).subquery())
    uninvoiced = (select(func.coalesce(func.sum(SalesOrder.total), 0))
                  .where(SalesOrder.customer_id == customer.id, SalesOrder.status.in_(UNINVOICED_STATUSES))
                  .scalar_subquery())
    shipped = (select(func.coalesce(func.sum(ShipmentLine.quantity), 0))
               .where(ShipmentLine.order_line_id == OrderLine.id).scalar_subquery())
    left = (select(func.coalesce(func.sum((OrderLine.quantity - shipped) * OrderLine.unit_price), 0))
            .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
            .where(SalesOrder.customer_id == customer.id, SalesOrder.status.in_(PARTLY_INVOICED_STATUSES))
            .scalar_subquery())
    overdue_balance = func.sum(Invoice.balance).filter(Invoice.due_date < today)
    open_balance, overdue, pending, partly, oldest_number, oldest_due = session.execute(
        select(func.coalesce(func.sum(Invoice.balance), 0), func.coalesce(overdue_balance, 0), uninvoiced, left,
               select(oldest.c.number).scalar_subquery(), select(oldest.c.due_date).scalar_subquery())
        .where(*is_open)
    ).one()
    return CreditInputs(
        credit_limit=money(customer.credit_limit), open_balance=money(open_balance),
        uninvoiced_orders=money(pending) + money(partly), order_amount=money(order_amount),
        on_hold=customer.on_hold,
        oldest_overdue_days=(today - oldest_due).days if oldest_due else 0,
        oldest_overdue_invoice=oldest_number, overdue_amount=money(overdue),
    )
