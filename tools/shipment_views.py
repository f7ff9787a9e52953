"""What the shipment tools answer: a delivery note as shown, what shipping or a proof of delivery did, and
the delivery notes of an order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.money import fmt
from db.models import Invoice, Shipment
from tools.context import ToolContext
from tools.order_views import InvoiceAmounts, label_of
from tools.schemas import CustomerRef, Result


class ShipmentLineView(Result):
    sku: str
    quantity: int
    promised_date: date | None = None


class LeftToShip(Result):
    sku: str
    quantity: int


class ShipmentView(Result):
    number: str  # DN-YYYY-NNNNN
    order_number: str
    customer: CustomerRef
    status: str  # shipped, delivered
    shipped_on: date
    carrier: str | None = None
    tracking: str | None = None
    late: bool = False  # shipped after a line's promised date
    lines: list[ShipmentLineView]
    invoice_number: str | None = None
    delivered_on: date | None = None
    signed_by: str | None = None

    def lines_text(self) -> str:
        return ", ".join(f"{ln.quantity} × {ln.sku}" for ln in self.lines)

    def late_text(self) -> str:
        promised = sorted({ln.promised_date for ln in self.lines if ln.promised_date and ln.promised_date
                           < self.shipped_on})
        return f"late (promised by {promised[0]})" if promised else "late"

    def how(self) -> str:
        """'carrier UPS, tracking "1Z999"', or 'no tracking code'."""
        parts = ([f"carrier {self.carrier}"] if self.carrier else []) + (
            [f'tracking "{self.tracking}"'] if self.tracking else [])
        return ", ".join(parts) or "no tracking code"


class ShipmentResult(Result):
    action: str  # ship, deliver
    shipment: ShipmentView
    order_status: str  # the order's status after it
    invoice: InvoiceAmounts | None = None  # the invoice the shipment issues
    currency: str = "USD"
    left: list[LeftToShip] = []  # what stays to ship on the order after it

    def describe(self, done: bool) -> str:
        s = self.shipment
        late = f" It is {s.late_text()}." if s.late else ""
        if self.action == "deliver":
            signed = f", signed by {s.signed_by}" if s.signed_by else ""
            if not done:
                return (f"Record delivery of {s.number} (order {s.order_number}, {s.customer.name}: {s.lines_text()}) "
                        f"on {s.delivered_on}{signed}.")
            return (f"{s.number} delivered on {s.delivered_on}{signed}; order {s.order_number} is "
                    f"{label_of(self.order_status)}.")
        inv = self.invoice
        amounts = f"{fmt(inv.net)} + tax {fmt(inv.tax)} = {fmt(inv.total, self.currency)}" if inv else ""
        left = ", ".join(f"{ln.quantity} × {ln.sku}" for ln in self.left)
        rest = f" Left to ship: {left}." if left else " Nothing is left to ship."
        if not done:
            return (f"Ship {s.lines_text()} of order {s.order_number} for {s.customer.name} on {s.shipped_on} "
                    f"({s.how()}) and invoice {amounts}.{rest}{late}")
        return (f"{s.number} shipped {s.lines_text()} of order {s.order_number}; invoice {inv.number if inv else ''} "
                f"issued for {amounts}. The order is {label_of(self.order_status)}.{rest}{late}")


class DeliveryNotes(Result):
    """The delivery notes asked for: one by number, or those of an order."""

    notes: list[ShipmentView]
    order_number: str | None = None


def shipment_view(ctx: ToolContext, shipment: Shipment) -> ShipmentView:
    invoice = ctx.session.scalar(select(Invoice.number).where(Invoice.shipment_id == shipment.id).limit(1))
    return ShipmentView(
        number=shipment.number, order_number=shipment.order.number,
        customer=CustomerRef(code=shipment.customer.code, name=shipment.customer.name), status=shipment.status,
        shipped_on=shipment.shipped_on, carrier=shipment.carrier, tracking=shipment.tracking, late=shipment.late,
        lines=[ShipmentLineView(sku=ln.sku, quantity=ln.quantity, promised_date=ln.order_line.promised_date)
               for ln in shipment.lines],
        invoice_number=invoice, delivered_on=shipment.delivered_on, signed_by=shipment.signed_by,
    )
