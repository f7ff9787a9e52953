"""What leaves the warehouse: shipments (delivery notes, DN-YYYY-NNNNN) and the order lines each carries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Str40
from db.models.parties import Customer
from db.models.sales import OrderLine, SalesOrder

SHIPMENT_STATUSES = ("shipped", "delivered")


class Shipment(Base):
    """One delivery note: part or all of an order, shipped on one day; it issues its own invoice."""

    __tablename__ = "shipments"
    __table_args__ = (CheckConstraint("status IN ('shipped', 'delivered')", name="status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)  # who may see it
    status: Mapped[str] = mapped_column(String(20))
    shipped_on: Mapped[date]
    carrier: Mapped[str | None] = mapped_column(String(80))
    tracking: Mapped[str | None] = mapped_column(String(120))
    late: Mapped[bool] = mapped_column(default=False)  # shipped after a line's promised date
    delivered_on: Mapped[date | None]
    signed_by: Mapped[str | None] = mapped_column(String(120))
    delivery_recorded_by: Mapped[Str40 | None]
    created_by: Mapped[Str40]
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")
    order: Mapped[SalesOrder] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.id", cascade="all, delete-orphan"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    sku: Mapped[Str40]
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
