"""What is sold and ordered: products, sales orders and their lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Money, Str40
from db.models.parties import Customer


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Money]
    cost: Mapped[Money]
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    lead_time_days: Mapped[int | None]  # days to restock; unset, the alert thresholds' default applies

    @property
    def available(self) -> int:
        return self.stock_on_hand - self.stock_reserved


class SalesOrder(Base):
    __tablename__ = "sales_orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    rep: Mapped[Str40]  # who took the order: sales are reported by it
    # credit_hold, price_hold, confirmed, partially_shipped, shipped, delivered, cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    total: Mapped[Money]
    credit_decision: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    ordered_on: Mapped[date]
    shipped_on: Mapped[date | None]
    tracking: Mapped[str | None] = mapped_column(String(120))
    decided_by: Mapped[Str40 | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[Str40]
    quantity: Mapped[int]
    unit_price: Mapped[Money]  # snapshotted: later price changes do not touch old orders
    unit_cost: Mapped[Money]
    line_total: Mapped[Money]
    promised_date: Mapped[date | None]  # shipped later than this, a shipment is flagged late

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
