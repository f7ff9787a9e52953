"""Corrections to what an invoice owes: credit notes (price corrections, goodwill, write-offs, returns)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Money, Str40
from db.models.parties import Customer
from db.models.receivables import Invoice


class CreditNote(Base):
    """CN-YYYY-NNNNN: lowers an invoice's balance by `amount` (tax included, as the invoice charged it)."""

    __tablename__ = "credit_notes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[Str40] = mapped_column(unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # credit, return, dispute
    amount: Mapped[Money]
    reason: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(index=True)
    issued_by: Mapped[Str40]
    created_at: Mapped[datetime]

    invoice: Mapped[Invoice] = relationship(lazy="joined")
    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list[CreditNoteLine]] = relationship(
        back_populates="credit_note", cascade="all, delete-orphan", lazy="selectin", order_by="CreditNoteLine.id")


class CreditNoteLine(Base):
    """Goods returned on a credit note: back in stock, credited at the invoiced unit price."""

    __tablename__ = "credit_note_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_notes.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[Str40]
    quantity: Mapped[int]
    unit_price: Mapped[Money]  # net, as invoiced
    amount: Mapped[Money]  # quantity x unit price, plus the invoice's tax on it

    credit_note: Mapped[CreditNote] = relationship(back_populates="lines")
