"""Units and net revenue sold per product, line by line: what product reports and the sales trend sum.

An invoice bills either one shipment (its delivery note's lines) or, for invoices made before shipments
existed, its whole order; joining every order line to every invoice of the order would count an order
shipped in three parts three times. Void invoices count nothing; a cancelled order has no invoice.
Returns, when asked for, count against the day of their credit note."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.sql import Subquery

from db.models import CreditNote, CreditNoteLine, Invoice, OrderLine, ShipmentLine
from db.scope import Scope


def product_lines(start: date, end: date, scope: Scope, *, skus: Collection[str] | None = None,
                  returns: bool = False) -> Subquery:
    """Rows of (sku, day, quantity, revenue, cost) for invoices issued in [start, end]; with `returns`,
    also each returned line of a credit note issued then, with negative quantity, revenue and cost."""
    in_period = (Invoice.status != "void", Invoice.issue_date >= start, Invoice.issue_date <= end)
    shipped = (select(ShipmentLine.sku.label("sku"), Invoice.issue_date.label("day"),
                      ShipmentLine.quantity.label("quantity"),
                      (ShipmentLine.quantity * OrderLine.unit_price).label("revenue"),
                      (ShipmentLine.quantity * OrderLine.unit_cost).label("cost"))
               .join(Invoice, Invoice.shipment_id == ShipmentLine.shipment_id)
               .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id).where(*in_period))
    whole_orders = (select(OrderLine.sku, Invoice.issue_date, OrderLine.quantity, OrderLine.line_total,
                           OrderLine.unit_cost * OrderLine.quantity)
                    .join(Invoice, Invoice.order_id == OrderLine.order_id)
                    .where(*in_period, Invoice.shipment_id.is_(None)))
    parts: list[Select] = [scope.apply(shipped, Invoice.customer_id), scope.apply(whole_orders, Invoice.customer_id)]
    if skus is not None:
        parts = [parts[0].where(ShipmentLine.sku.in_(skus)), parts[1].where(OrderLine.sku.in_(skus))]
    if returns:
        returned = (select(CreditNoteLine.sku, CreditNote.issued_on, -CreditNoteLine.quantity,
                           -(CreditNoteLine.quantity * CreditNoteLine.unit_price), literal(0))
                    .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
                    .where(CreditNote.issued_on >= start, CreditNote.issued_on <= end))
        if skus is not None:
            returned = returned.where(CreditNoteLine.sku.in_(skus))
        parts.append(scope.apply(returned, CreditNote.customer_id))
    return union_all(*parts).subquery("product_lines")
